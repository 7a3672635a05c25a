#pragma once
// CPU and memory of a process and of the whole machine, read from /proc
// (proc(5): /proc/PID/stat fields 14-15 utime/stime in clock ticks,
// /proc/PID/status VmRSS and Threads, /proc/stat's "cpu" line).

#include <cstdint>
#include <optional>
#include <sys/types.h>

namespace sb::bench {

struct proc_sample {
  double cpu_s = 0;    ///< user + system CPU time so far
  int64_t rss_kib = 0; ///< resident set size now
  int threads = 0;
};

/// One sample of `pid` (0: this process); nullopt when it is gone.
std::optional<proc_sample> sample_process(pid_t pid = 0);

struct system_sample {
  double busy_s = 0;  ///< every CPU's non-idle time so far
  double total_s = 0; ///< every CPU's time so far
};

std::optional<system_sample> sample_system();

/// Raises RLIMIT_NOFILE's soft limit to the hard limit; returns the new
/// soft limit. A child started afterwards inherits it.
int64_t raise_fd_limit();

} // namespace sb::bench
