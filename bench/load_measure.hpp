#pragma once
// What the load run measures (bench/load_harness.cpp): the harness's own
// loop lag, the server's CPU and memory idle and over each step's window,
// and each step judged held or not.

#include "bench/latency_probe.hpp"
#include "bench/load_harness.hpp"
#include "bench/proc_stats.hpp"
#include "bench/server_metrics.hpp"
#include "bench/server_process.hpp"
#include "bench/stats.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>

namespace sb::bench::load {

/// The harness's own loop health: a 10 ms timer's lateness.
class loop_lag_probe : public std::enable_shared_from_this<loop_lag_probe> {
public:
  explicit loop_lag_probe(boost::asio::io_context& io) : timer_(io) {}
  void start();
  /// From any thread: the timer itself is only touched on its io thread (an
  /// asio timer is not safe for concurrent use; TSan reported this cancel
  /// racing arm()'s expires_at, docs/stack.md 7).
  void stop() {
    stopped_ = true; // the pending wait, if it fires, arms no more
    boost::asio::post(timer_.get_executor(),
                      [self = shared_from_this()] { self->timer_.cancel(); });
  }
  histogram take() {
    std::lock_guard lock(mu_);
    return std::exchange(lag_, histogram{});
  }

private:
  void arm(std::chrono::steady_clock::time_point at);
  boost::asio::steady_timer timer_;
  std::atomic<bool> stopped_{false};
  std::mutex mu_;
  histogram lag_;
};

struct samples {
  proc_sample server, self;
  system_sample system;
  std::chrono::steady_clock::time_point at;
};

samples sample_all(pid_t server);

/// The server's memory and CPU with no calls (after 0.5 s to settle, over 2 s).
void measure_idle_server(const server_process& server, run_result& rr);

/// Where the server's /metrics answers (server_metrics.hpp).
struct metrics_source {
  uint16_t port = 0;
  std::string bearer;
};

/// One step's window at `target` live calls, after their greetings: latency,
/// the server's CPU and memory and its own relay latency, the harness's load.
step_result measure_window(int target, int window_s, latency_sink& sink, loop_lag_probe& lag,
                           const server_process& server, const metrics_source& metrics,
                           const run_result& rr);

/// Judges and records a measured step; true when the run stops here.
bool record_step(step_result s, int failed_now, int& failed_before, const server_process& server,
                 const harness_options& o, run_result& rr);

} // namespace sb::bench::load
