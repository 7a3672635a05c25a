#pragma once
// Live calls kept at N on one io thread (the soak run, the cluster bench):
// each call lasts a uniform random call_min_s..call_max_s, hangs up at its
// next pause between turns, and is replaced at once by the next script's
// call; or, with `replace` off, lasts until the pool hangs up.

#include "sim/caller.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

namespace sb::bench {

struct call_pool {
  call_pool(boost::asio::io_context& ctx, int min_s, int max_s)
      : io(ctx), call_min_s(min_s), call_max_s(max_s) {}
  boost::asio::io_context& io;
  int call_min_s, call_max_s;
  sim::caller_options base;              ///< everything but the script and the hang-up
  std::vector<sim::call_script> scripts; ///< one per call the run may place
  bool replace = true; ///< a call that ends is replaced; off: calls last until hang_up_pool
  std::mt19937 rng;
  // io thread only:
  int next = 0;
  std::unordered_map<int, std::shared_ptr<boost::asio::steady_timer>> timers;
  // read by the measuring thread:
  std::atomic<int> live{0}, ended{0}, failed{0}, started{0};
  std::atomic<bool> stopping{false};
  std::mutex mu;
  std::vector<std::string> failures; ///< the first few failures' errors
};

/// Starts the next script's call (on the io thread).
void start_pool_call(const std::shared_ptr<call_pool>& p);

/// Posts `count` call starts to the io thread, `rate` a second (blocks).
void fill_pool(const std::shared_ptr<call_pool>& p, int count, int rate);

/// Every live call hangs up at its next pause; no new call starts.
void hang_up_pool(const std::shared_ptr<call_pool>& p);

/// hang_up_pool, then waits (at most `bound_s`) until every call has ended.
void drain_pool(const std::shared_ptr<call_pool>& p, int bound_s);

} // namespace sb::bench
