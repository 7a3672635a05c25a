#include "bench/proc_stats.hpp"

#include <fstream>
#include <sstream>
#include <string>
#include <sys/resource.h>
#include <unistd.h>

namespace sb::bench {

namespace {

double tick_s() {
  static const double t = 1.0 / static_cast<double>(sysconf(_SC_CLK_TCK));
  return t;
}

} // namespace

std::optional<proc_sample> sample_process(pid_t pid) {
  const std::string dir = pid == 0 ? "/proc/self" : "/proc/" + std::to_string(pid);
  std::ifstream stat(dir + "/stat");
  std::string line;
  if (!std::getline(stat, line))
    return std::nullopt;
  // The command name (field 2) may hold spaces: fields after it start past ')'.
  auto close = line.rfind(')');
  if (close == std::string::npos)
    return std::nullopt;
  std::istringstream rest(line.substr(close + 2));
  std::string field;
  proc_sample s;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) { // field 3 is the state
    if (i == 14)
      utime = std::stoull(field);
    if (i == 15)
      stime = std::stoull(field);
  }
  s.cpu_s = static_cast<double>(utime + stime) * tick_s();
  std::ifstream status(dir + "/status");
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0)
      s.rss_kib = std::stoll(line.substr(6));
    else if (line.rfind("Threads:", 0) == 0)
      s.threads = std::stoi(line.substr(8));
  }
  return s;
}

std::optional<system_sample> sample_system() {
  std::ifstream stat("/proc/stat");
  std::string cpu;
  if (!(stat >> cpu) || cpu != "cpu")
    return std::nullopt;
  // user nice system idle iowait irq softirq steal
  unsigned long long v[8] = {};
  for (auto& x : v)
    stat >> x;
  const auto idle = v[3] + v[4];
  unsigned long long total = 0;
  for (auto x : v)
    total += x;
  return system_sample{static_cast<double>(total - idle) * tick_s(),
                       static_cast<double>(total) * tick_s()};
}

int64_t raise_fd_limit() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
    return -1;
  rl.rlim_cur = rl.rlim_max;
  setrlimit(RLIMIT_NOFILE, &rl);
  getrlimit(RLIMIT_NOFILE, &rl);
  return static_cast<int64_t>(rl.rlim_cur);
}

} // namespace sb::bench
