#include "sim/media_clock.hpp"

#include <algorithm>

namespace sb::sim {

boost::asio::io_context::id media_clock::id;

media_clock::media_clock(boost::asio::io_context& io)
    : boost::asio::io_context::service(io), timer_(io) {}

void media_clock::shutdown() {
  std::lock_guard lock(mu_);
  due_ = {};
  armed_ = false;
  timer_.cancel();
}

void media_clock::at(clock::time_point at, std::function<void()> fn) {
  std::lock_guard lock(mu_);
  due_.push({at, order_++, std::move(fn)});
  if (!armed_ || at < armed_at_)
    arm_locked(at);
}

void media_clock::arm_locked(clock::time_point at) {
  armed_ = true;
  armed_at_ = at;
  timer_.expires_at(at); // cancels a wait for a later deadline (its handler sees the error)
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec)
      on_timer();
  });
}

void media_clock::on_timer() {
  std::vector<std::function<void()>> run;
  {
    std::lock_guard lock(mu_);
    run.swap(run_); // the last batch's capacity
    armed_ = false;
    const auto now = clock::now();
    // Everything due by now runs in this wake, in deadline order.
    while (!due_.empty() && due_.top().at <= now) {
      run.push_back(std::move(const_cast<entry&>(due_.top()).fn)); // popped right after
      due_.pop();
    }
    if (!due_.empty())
      arm_locked(std::max(due_.top().at, now + coalesce));
  }
  for (auto& fn : run)
    fn(); // outside the lock: a call schedules its next frame from here
  run.clear();
  std::lock_guard lock(mu_);
  if (run_.capacity() < run.capacity())
    run_.swap(run);
}

} // namespace sb::sim
