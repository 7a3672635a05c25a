#pragma once
// The soak run (issue 15 item 5): N calls kept live for a long time, each
// lasting a random 1 to 3 minutes and replaced by a new one when it ends,
// against `switchboard serve` as a separate process; the server's RSS and
// open file descriptors sampled all along, and their slopes fitted. A server
// that leaks per call (memory, sockets, files, timers) shows a slope; one
// that does not stays flat within noise.

#include "bench/soak/trend.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace sb::bench {

struct soak_options {
  std::string switchboard_bin;
  int calls = 100;      ///< live calls, kept up all along
  int minutes = 30;     ///< how long calls are started
  int call_min_s = 60;  ///< each call lasts a uniform random time
  int call_max_s = 180; ///< ... in [min, max]
  int sample_s = 10;    ///< the server is sampled this often
  int start_rate = 20;  ///< new calls per second while filling up
  int fit_from_s = 0;   ///< fit slopes from here; 0: once every slot has turned over
  unsigned seed = 42;   ///< call durations are reproducible
  std::string log_level = "warn";
  bool keep = false; ///< keep the work dir (server log, database)
};

/// One sample of the server and of the calls.
struct soak_sample {
  double t_s = 0;      ///< since the first call started
  int64_t rss_kib = 0; ///< the server's VmRSS
  int fds = 0;         ///< entries in /proc/PID/fd
  int threads = 0;
  double cpu_s = 0;   ///< the server's CPU time so far
  int live = 0;       ///< calls in progress
  int ended = 0;      ///< calls ended so far
  int failed = 0;     ///< of which failed
  int64_t db_kib = 0; ///< the database file and its WAL
};

struct soak_result {
  soak_options options;
  std::string date_utc, cpu_model, error;
  int cpus = 0;
  std::vector<soak_sample> samples;
  int calls_started = 0, calls_ended = 0, calls_failed = 0;
  std::vector<std::string> failures; ///< the first few failures' errors
  double fit_from_s = 0;             ///< slopes fitted over samples from here on
  trend rss_trend, fd_trend;         ///< per minute
  double cpu_ms_per_call_minute = 0; ///< over the fitted span
};

soak_result run_soak(const soak_options& o);

std::string soak_json(const soak_result& r);
std::string soak_dat(const soak_result& r);
std::string soak_summary(const soak_result& r);

} // namespace sb::bench
