#pragma once
// The load benchmark: the simulated Realtime peer and N simulated callers in
// this process, on one io thread (or a few) and one steady clock, against a
// `switchboard serve` started as a separate process. Fixed N for a duration,
// or a ramp that steps N up until p99 downstream latency passes the limit or
// a call fails.

#include "bench/latency_probe.hpp"
#include "bench/stats.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace sb::bench {

struct harness_options {
  std::string switchboard_bin; ///< the server binary to start
  int calls = 20;              ///< fixed mode
  int duration_s = 10;         ///< fixed mode: the measurement window
  bool ramp = false;
  int ramp_start = 100, ramp_step = 100, ramp_max = 1000;
  int step_s = 20;           ///< ramp: the window per step
  bool keep_going = false;   ///< ramp: step on past the first step that does not hold (for plots)
  double p99_limit_ms = 5.0; ///< ramp: a step holds while downstream p99 <= this
  bool tls = false;          ///< OpenAI leg over TLS (wss://)
  bool twilio_tls = false;   ///< Twilio leg over TLS: the server serves https:// and wss://
  int start_rate = 100;      ///< new calls per second
  double function_call_fraction = 0.1; ///< calls whose turns include a function call
  double barge_in_fraction = 0.1;      ///< calls whose caller barges in
  bool bursty = false;            ///< the peer sends each reply's deltas back to back (issue 15.2)
  int io_threads = 1;             ///< the harness's own io threads
  int server_io_threads = 1;      ///< the server's [server] io_threads
  std::string log_level = "warn"; ///< the server's SWITCHBOARD_LOG_LEVEL
  /// The server's console on (a console token), as a deployment that
  /// operators watch has it; also what lets the bench read its /metrics
  /// (the server's own relay latency). Off by default: every earlier
  /// figure in bench/RESULTS.md ran without it, and it costs CPU (there).
  bool server_console = false;
  bool keep = false; ///< keep the work dir (server log, DB)
};

/// One measurement window at a fixed number of live calls.
struct step_result {
  int calls = 0;
  double window_s = 0;
  latency_window latency;
  histogram loop_lag; ///< how late the harness's 10 ms probe timer fired
  double server_cpu_s = 0;
  double server_cpu_ms_per_call_minute = 0;
  int64_t server_rss_kib = 0;
  double server_rss_per_call_kib = 0;          ///< above the idle baseline
  double server_rss_marginal_kib_per_call = 0; ///< above the previous step (or idle)
  int server_threads = 0;
  double harness_cpu_pct = 0;  ///< of one core
  double other_load_cores = 0; ///< machine busy time not ours nor the server's
  /// The server's own relay latency over the window (its
  /// switchboard_relay_latency_seconds: arrival -> handed to the other
  /// leg), as the upper bound of the bucket holding the quantile, ms; -1
  /// when /metrics did not answer.
  double server_relay_down_p50_le_ms = -1, server_relay_down_p99_le_ms = -1;
  double server_relay_up_p99_le_ms = -1;
  int failed_calls = 0; ///< failed during this window
  bool harness_saturated = false;
  bool held = false;
};

struct call_record {
  int index = 0;
  std::string call_sid;
  bool ok = false;
  std::string error;
  bool function_calls = false, barge_in = false;
  latency_probe::summary probe;
  int marks_echoed = 0, clears_received = 0, turns = 0;
  int64_t reply_gap_mean_ms = -1; ///< caller stopped speaking -> first reply byte
};

struct run_result {
  harness_options options;
  std::string date_utc, cpu_model, stop_reason;
  int cpus = 0;
  int64_t mem_total_kib = 0, fd_limit = 0;
  int64_t server_rss_idle_kib = 0;
  double server_idle_cores = 0; ///< the server's CPU with no calls
  std::vector<step_result> steps;
  std::vector<call_record> calls;
  int last_held_calls = 0;
  int failed_calls = 0;
  int64_t bytes_lost = 0, bytes_duplicated = 0, mismatched_units = 0;
  int peer_reconnects = 0;
  latency_window all; ///< every window together
  std::string error;  ///< set when the run could not happen at all
};

run_result run_load(const harness_options& options);

} // namespace sb::bench
