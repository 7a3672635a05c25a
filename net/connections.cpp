#include "net/connections.hpp"

#include "net/detail/live_connections.hpp"

#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <thread>

namespace sb::net {

namespace asio = boost::asio;

namespace detail {

asio::execution_context::id live_connections::id;

void live_connections::add(std::weak_ptr<endable> c) {
  std::lock_guard lock(mutex_);
  if (list_.size() >= prune_at_) {
    std::erase_if(list_, [](const std::weak_ptr<endable>& w) {
      auto c = w.lock();
      return !c || c->ended();
    });
    prune_at_ = std::max<std::size_t>(64, 2 * list_.size());
  }
  list_.push_back(std::move(c));
}

std::vector<std::shared_ptr<endable>> live_connections::open() {
  std::vector<std::shared_ptr<endable>> out;
  std::lock_guard lock(mutex_);
  for (const auto& w : list_)
    if (auto c = w.lock(); c && !c->ended())
      out.push_back(std::move(c));
  return out;
}

} // namespace detail

namespace {

/// Waits until no connection is open or `until`; the number still open.
std::size_t wait_until_over(detail::live_connections& reg,
                            std::chrono::steady_clock::time_point until) {
  for (;;) {
    auto n = reg.open().size();
    if (n == 0 || std::chrono::steady_clock::now() >= until)
      return n;
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
}

} // namespace

std::size_t end_connections(asio::io_context& io, std::chrono::milliseconds grace) {
  auto& reg = asio::use_service<detail::live_connections>(io);
  for (const auto& c : reg.open())
    c->end_gracefully();
  if (wait_until_over(reg, std::chrono::steady_clock::now() + grace) == 0)
    return 0;
  for (const auto& c : reg.open())
    c->end_now();
  // Each end_now() is one posted handler: quick unless the loop is stuck.
  return wait_until_over(reg, std::chrono::steady_clock::now() + std::chrono::seconds{1});
}

std::size_t open_connection_count(asio::io_context& io) {
  return asio::use_service<detail::live_connections>(io).open().size();
}

} // namespace sb::net
