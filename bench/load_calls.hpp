#pragma once
// The load run's calls (bench/load_harness.cpp): each with its script and
// latency probe, started at a steady rate on the io thread, hung up
// together, and recorded in the run's result.

#include "bench/latency_probe.hpp"
#include "bench/load_setup.hpp"
#include "sim/caller.hpp"
#include "sim/realtime_peer.hpp"

#include <boost/asio/io_context.hpp>

#include <atomic>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace sb::bench::load {

/// Every call of the run, shared with the io thread's callbacks.
struct live_call {
  explicit live_call(latency_sink* sink) : probe(sink) {}
  latency_probe probe;
  std::atomic<bool> done{false};
  sim::caller_result result;
};

/// Every call of the run with its script, and how the peer's hooks find a
/// call: through a slot per connection number, keyed by the address of the
/// script's caller number (stable: the peer's copy of the scripts), rather
/// than hashing the number each time. A connection's hooks run under that
/// connection's mutex, so a slot is never touched by two threads at once.
struct call_table {
  explicit call_table(int max_calls) : by_conn(static_cast<std::size_t>(max_calls) * 2 + 16) {}

  latency_sink sink;
  std::vector<std::unique_ptr<live_call>> calls;
  std::unordered_map<std::string, live_call*> by_number;
  struct conn_slot {
    const std::string* number = nullptr;
    live_call* call = nullptr;
  };
  std::vector<conn_slot> by_conn;
  std::vector<sim::call_script> scripts;

  live_call* find(const std::string& number, int conn) {
    const auto i = static_cast<std::size_t>(conn);
    if (i < by_conn.size() && by_conn[i].number == &number)
      return by_conn[i].call;
    auto it = by_number.find(number);
    live_call* c = it == by_number.end() ? nullptr : it->second;
    if (i < by_conn.size())
      by_conn[i] = {&number, c};
    return c;
  }

  live_call& operator[](int i) { return *calls[static_cast<std::size_t>(i)]; }
};

/// The plan's calls, each with its script (some with function calls, some
/// with barge-ins, as the options ask) and its record in `rr`.
void add_calls(call_table& t, const harness_options& o, const run_plan& plan, run_result& rr);

/// The peer's options: the scripts, and hooks that feed each call's probe.
sim::peer_options peer_options_for(call_table& t, const sim::clip_library& clips);

/// Places call i of the run (on the io thread); its end is noted in the
/// table, a failure counted in `failed`.
struct call_starter {
  const harness_options& o;
  boost::asio::io_context& io;
  uint16_t port;
  const tls_material& tls;
  std::string token;
  call_table& table;
  const sim::clip_library& clips;
  int total_s;
  std::shared_ptr<std::atomic<bool>> hang_up;
  std::atomic<int>& failed;

  void operator()(int i) const;
};

/// Starts calls `started` .. `target` - 1, `start_rate` a second.
void start_calls(const call_starter& start_call, int& started, int target, int start_rate);

/// Hangs every started call up and waits (at most 60 s) for them to end,
/// then for the last bytes: until none has arrived anywhere for 1 s (at
/// most 20 s), as a loaded bridge may still be relaying the last frames.
void hang_up_and_settle(std::atomic<bool>& hang_up, call_table& t, int started);

/// Each started call's record and the run's totals.
void collect_calls(call_table& t, int started, run_result& rr);

} // namespace sb::bench::load
