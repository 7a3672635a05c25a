// switchboard-floor: measures what the bare minimum relay (kernel TCP
// loopback + epoll, no WebSocket, no JSON, no actors) costs in CPU per
// call-minute on this machine, for issue 4's targets. bench/floor/README.md.
#include "floor.hpp"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>

using namespace sb::floor;

namespace {

struct options {
  std::vector<int> counts{100};
  double duration_s = 10, warmup_s = 2;
  int down_every = 5;
  int burst = 1;
  bool protocol = false;
  std::string out;
};

bool parse(int argc, char** argv, options& o) {
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--calls")
      o.counts = {std::atoi(v.c_str())};
    else if (k == "--duration")
      o.duration_s = std::atof(v.c_str());
    else if (k == "--warmup")
      o.warmup_s = std::atof(v.c_str());
    else if (k == "--out")
      o.out = v;
    else if (k == "--down-every")
      o.down_every = std::max(1, std::atoi(v.c_str()));
    else if (k == "--burst")
      o.burst = std::max(1, std::atoi(v.c_str()));
    else if (k == "--protocol")
      o.protocol = v == "1";
    else if (k == "--ramp") {
      o.counts.clear();
      std::istringstream in(v);
      for (std::string n; std::getline(in, n, ',');)
        o.counts.push_back(std::atoi(n.c_str()));
    } else
      return false;
  }
  if (argc % 2 == 0)
    return false;
  for (int n : o.counts)
    if (n <= 0)
      return false;
  return o.duration_s > 0 && o.warmup_s >= 0;
}

std::string loadavg() {
  std::ifstream f("/proc/loadavg");
  std::string a, b, c;
  f >> a >> b >> c;
  return a + " " + b + " " + c;
}

double percentile(const std::vector<std::uint32_t>& h, double q) {
  std::uint64_t total = 0, seen = 0;
  for (auto x : h)
    total += x;
  if (total == 0)
    return 0;
  for (std::size_t us = 0; us < h.size(); ++us) {
    seen += h[us];
    if (double(seen) >= q * double(total))
      return double(us) / 1000.0;
  }
  return double(h.size()) / 1000.0;
}

struct row {
  int calls = 0;
  std::string load_before, load_after, error;
  std::vector<std::pair<const char*, double>> m; ///< metrics, in print order
  gen_result g;
  relay_counters rc{};
  bool delivered = false;
  double get(const char* k) const {
    for (auto& [name, v] : m)
      if (std::string(name) == k)
        return v;
    return 0;
  }
};

/// Turns the window's two snapshots and the counters into the report.
void compute(row& r, const options& o) {
  const cpu_snap &a = r.g.start, &b = r.g.end;
  double wall = double(b.wall_ns - a.wall_ns) / 1e9, call_min = r.calls * wall / 60.0;
  double relay = b.relay_sched_s - a.relay_sched_s, gen = b.gen_sched_s - a.gen_sched_s;
  r.m = {{"relay_cpu_ms_per_call_minute", relay * 1000 / call_min},
         {"relay_cpu_ms_per_call_minute_stat", (b.relay_stat_s - a.relay_stat_s) * 1000 / call_min},
         {"relay_cores", relay / wall},
         {"generator_cores", gen / wall},
         {"total_cores", (relay + gen) / wall},
         {"ksoftirqd_cores", (b.ksoftirqd_s - a.ksoftirqd_s) / wall},
         {"machine_busy_cores", (b.busy_s - a.busy_s) / wall},
         {"softirq_cores", (b.softirq_s - a.softirq_s) / wall},
         {"steal_cores", (b.steal_s - a.steal_s) / wall},
         {"hop_p50_ms", percentile(r.g.lat_us, 0.50)},
         {"hop_p99_ms", percentile(r.g.lat_us, 0.99)},
         {"hop_max_ms", percentile(r.g.lat_us, 1.0)},
         {"down_p50_ms", percentile(r.g.down_lat_us, 0.50)},
         {"down_p99_ms", percentile(r.g.down_lat_us, 0.99)},
         {"down_max_ms", percentile(r.g.down_lat_us, 1.0)},
         {"pace", double(r.g.window_up_sent) / (r.calls * 50.0 * o.duration_s)},
         {"late_slots", double(r.g.late_slots)},
         {"window_s", wall}};
  const gen_result& g = r.g;
  const relay_counters& c = r.rc;
  r.delivered = g.up_sent == g.up_recv && g.up_sent == c.up_in && c.up_in == c.up_out &&
                g.down_sent == g.down_recv && g.down_sent == c.down_in &&
                c.mark_out == g.mark_recv && g.echo_sent == c.echo_in &&
                g.echo_sent == g.mark_recv && c.bad_in == 0 && g.bad_recv == 0;
}

/// Forks the relay, drives it with the generator for one call count.
row run_one(int calls, const options& o) {
  row r;
  r.calls = calls;
  r.load_before = loadavg();
  std::uint16_t relay_port = 0, peer_port = 0;
  int relay_lfd = listen_loopback(&relay_port), peer_lfd = listen_loopback(&peer_port);
  int stop[2];
  auto* rc = static_cast<relay_counters*>(mmap(
      nullptr, sizeof(relay_counters), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
  if (relay_lfd < 0 || peer_lfd < 0 || rc == MAP_FAILED || pipe2(stop, O_CLOEXEC) != 0) {
    r.error = "setup of listeners/shared memory failed";
    return r;
  }
  *rc = relay_counters{};
  std::uint64_t run_ns = std::uint64_t((o.warmup_s + o.duration_s + 60) * 1e9);
  pid_t pid = fork();
  if (pid == 0) { // the relay: its own process, so /proc/<pid>/stat is its CPU alone
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::close(peer_lfd);
    ::close(stop[1]);
    run_relay(relay_lfd, peer_port, stop[0], rc, now_ns() + run_ns, o.protocol);
    _exit(0);
  }
  ::close(relay_lfd);
  ::close(stop[0]);
  gen_config cfg{calls, o.warmup_s,   o.duration_s, relay_port, peer_lfd,
                 pid,   o.down_every, o.burst,      o.protocol};
  r.g = run_generator(cfg); // closes every caller and peer socket on return
  ::close(stop[1]);
  ::close(peer_lfd);
  int status = 0;
  for (int i = 0; i < 100 && waitpid(pid, &status, WNOHANG) == 0; ++i)
    usleep(50'000);
  if (waitpid(pid, &status, WNOHANG) == 0) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
  }
  r.rc = *rc;
  munmap(rc, sizeof(relay_counters));
  r.load_after = loadavg();
  r.error = r.g.error;
  if (r.error.empty())
    compute(r, o);
  return r;
}

void print_human(const row& r) {
  if (!r.error.empty())
    return (void)std::printf("N=%d  ERROR: %s\n", r.calls, r.error.c_str());
  auto u = [](std::uint64_t v) { return (unsigned long long)v; };
  std::printf("N=%-5d relay %.1f ms CPU/call-min (stat %.1f) | cores: relay %.3f gen %.3f "
              "total %.3f ksoftirqd %.3f machine %.3f (softirq %.3f steal %.3f)\n"
              "        hop p50 %.3f p99 %.3f max %.3f ms | down p50 %.3f p99 %.3f max %.3f ms\n"
              "        pace %.3f late-slots %.0f | up "
              "%llu->%llu down %llu->%llu marks %llu->%llu echoes %llu->%llu bad %llu/%llu %s\n"
              "        loadavg %s -> %s\n",
              r.calls, r.m[0].second, r.m[1].second, r.m[2].second, r.m[3].second, r.m[4].second,
              r.m[5].second, r.m[6].second, r.m[7].second, r.m[8].second, r.m[9].second,
              r.m[10].second, r.m[11].second, r.m[12].second, r.m[13].second, r.m[14].second,
              r.m[15].second, r.m[16].second, u(r.g.up_sent), u(r.g.up_recv), u(r.g.down_sent),
              u(r.g.down_recv), u(r.rc.mark_out), u(r.g.mark_recv), u(r.g.echo_sent),
              u(r.rc.echo_in), u(r.rc.bad_in), u(r.g.bad_recv),
              r.delivered ? "ALL DELIVERED" : "NOT ALL DELIVERED in 5 s drain (relay fell behind)",
              r.load_before.c_str(), r.load_after.c_str());
  std::fflush(stdout);
}

void write_json(const std::string& path, const std::vector<row>& rows, const options& o) {
  std::ofstream f(path);
  f << "{\"tool\":\"switchboard-floor\",\"duration_s\":" << o.duration_s
    << ",\"warmup_s\":" << o.warmup_s << ",\"down_every\":" << o.down_every
    << ",\"burst\":" << o.burst << ",\"protocol\":" << (o.protocol ? "true" : "false")
    << ",\"runs\":[";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const row& r = rows[i];
    f << (i ? "," : "") << "{\"calls\":" << r.calls << ",\"error\":\"" << r.error << "\"";
    for (auto& [k, v] : r.m)
      f << ",\"" << k << "\":" << v;
    const std::pair<const char*, std::uint64_t> counts[] = {
        {"up_sent", r.g.up_sent},
        {"up_received", r.g.up_recv},
        {"down_sent", r.g.down_sent},
        {"down_received", r.g.down_recv},
        {"marks_sent", r.rc.mark_out},
        {"marks_received", r.g.mark_recv},
        {"echoes_sent", r.g.echo_sent},
        {"echoes_received", r.rc.echo_in},
        {"relay_write_stalls", r.rc.write_stalls},
        {"relay_bad_in", r.rc.bad_in},
        {"generator_bad_received", r.g.bad_recv}};
    for (auto& [k, v] : counts)
      f << ",\"" << k << "\":" << v;
    f << ",\"all_delivered\":" << (r.delivered ? "true" : "false") << ",\"loadavg_before\":\""
      << r.load_before << "\",\"loadavg_after\":\"" << r.load_after << "\"}";
  }
  f << "]}\n";
}

} // namespace

int main(int argc, char** argv) {
  options o;
  if (!parse(argc, argv, o)) {
    std::fprintf(stderr, "usage: switchboard-floor [--calls N | --ramp 100,250,500,1000]"
                         " [--duration S] [--warmup S] [--down-every N] [--burst N] [--protocol 1]"
                         " [--out file.json]\n");
    return 2;
  }
  std::signal(SIGPIPE, SIG_IGN);
  rlimit lim{}; // 1000 calls = 4000 sockets across the two processes
  getrlimit(RLIMIT_NOFILE, &lim);
  lim.rlim_cur = lim.rlim_max;
  setrlimit(RLIMIT_NOFILE, &lim);
  std::vector<row> rows;
  bool all_ok = true;
  for (int n : o.counts) {
    rows.push_back(run_one(n, o));
    print_human(rows.back());
    all_ok = all_ok && rows.back().error.empty() && rows.back().delivered;
  }
  if (!o.out.empty())
    write_json(o.out, rows, o);
  return all_ok ? 0 : 1;
}
