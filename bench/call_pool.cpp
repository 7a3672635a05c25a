#include "bench/call_pool.hpp"

#include "bench/bench_setup.hpp"

#include <boost/asio/post.hpp>

#include <chrono>
#include <thread>

namespace sb::bench {

namespace {

/// A call ended: counted, and replaced unless the run is stopping.
void on_end(const std::shared_ptr<call_pool>& p, int i, const sim::caller_result& r) {
  p->timers.erase(i);
  --p->live;
  ++p->ended;
  if (!r.ok) {
    ++p->failed;
    std::lock_guard lock(p->mu);
    if (p->failures.size() < 10)
      p->failures.push_back(r.call_sid + ": " + r.error);
  }
  if (p->replace && !p->stopping)
    boost::asio::post(p->io, [p] { start_pool_call(p); });
}

} // namespace

void start_pool_call(const std::shared_ptr<call_pool>& p) {
  if (p->stopping || p->next >= static_cast<int>(p->scripts.size()))
    return;
  const int i = p->next++;
  auto hang_up = std::make_shared<std::atomic<bool>>(false);
  auto timer = std::make_shared<boost::asio::steady_timer>(p->io);
  if (p->replace) {
    std::uniform_int_distribution<int> len(p->call_min_s * 1000, p->call_max_s * 1000);
    timer->expires_after(std::chrono::milliseconds(len(p->rng)));
  } else {
    timer->expires_at(boost::asio::steady_timer::time_point::max());
  }
  // Fires on expiry and on cancel (the run stopping): either way, hang up.
  timer->async_wait([hang_up](const boost::system::error_code&) { hang_up->store(true); });
  p->timers[i] = timer;
  sim::caller_options co = p->base;
  co.script = p->scripts[static_cast<std::size_t>(i)];
  co.hang_up = hang_up;
  ++p->live;
  ++p->started;
  sim::run_caller(p->io, std::move(co), [p, i](sim::caller_result r) { on_end(p, i, r); });
}

void fill_pool(const std::shared_ptr<call_pool>& p, int count, int rate) {
  const auto t_start = std::chrono::steady_clock::now();
  for (auto offset : call_start_offsets(count, rate)) {
    std::this_thread::sleep_until(t_start + offset);
    boost::asio::post(p->io, [p] { start_pool_call(p); });
  }
}

void hang_up_pool(const std::shared_ptr<call_pool>& p) {
  p->stopping = true;
  boost::asio::post(p->io, [p] {
    for (auto& [i, t] : p->timers)
      t->cancel();
  });
}

void drain_pool(const std::shared_ptr<call_pool>& p, int bound_s) {
  hang_up_pool(p);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(bound_s);
  while (p->live > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
}

} // namespace sb::bench
