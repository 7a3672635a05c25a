#pragma once
// One timer for every simulated caller's 20 ms media clock on an io_context.
// A steady_timer per call firing 50 times a second costs a timer-queue
// insertion, a handler and often a timerfd update per frame; at hundreds of
// calls that was a visible share of the load generator's CPU (issue 4). Here
// all calls' deadlines wait in one heap behind one timer; each wake runs
// every call that is due. A call's frame may run up to `coalesce` after its
// deadline (never before it), so deadlines stay absolute and do not drift.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <mutex>
#include <queue>
#include <vector>

namespace sb::sim {

class media_clock : public boost::asio::io_context::service {
public:
  using clock = std::chrono::steady_clock;
  static boost::asio::io_context::id id;

  /// One per io_context: boost::asio::use_service<media_clock>(io).
  explicit media_clock(boost::asio::io_context& io);

  /// Runs `fn` once, on an io thread, at `at` or up to coalesce() after it;
  /// thread-safe. Nothing is cancelled: the callback checks its own state.
  void at(clock::time_point at, std::function<void()> fn);

  static constexpr std::chrono::microseconds coalesce{500};

private:
  struct entry {
    clock::time_point at;
    uint64_t order; ///< FIFO among equal deadlines
    std::function<void()> fn;
  };
  struct later {
    bool operator()(const entry& a, const entry& b) const {
      return a.at != b.at ? a.at > b.at : a.order > b.order;
    }
  };

  void shutdown() override;
  void arm_locked(clock::time_point at);
  void on_timer();

  std::mutex mu_;
  boost::asio::steady_timer timer_;
  std::priority_queue<entry, std::vector<entry>, later> due_;
  uint64_t order_ = 0;
  bool armed_ = false;
  clock::time_point armed_at_;
  std::vector<std::function<void()>> run_; ///< reused by on_timer
};

} // namespace sb::sim
