// The soak run: live calls kept at N, each replaced when it ends, the server
// sampled all along (soak.hpp). Callers and the Realtime peer share one io
// thread here; the server is its own process.
#include "bench/soak/soak.hpp"

#include "bench/bench_setup.hpp"
#include "bench/call_pool.hpp"
#include "bench/proc_stats.hpp"
#include "bench/server_process.hpp"
#include "common/scope_exit.hpp"
#include "common/time.hpp"
#include "net/io.hpp"
#include "sim/caller.hpp"
#include "sim/realtime_peer.hpp"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

namespace sb::bench {

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const std::string business_number = "+15551230000";
const std::string public_url = "https://switchboard.soak.invalid";

int count_fds(pid_t pid) {
  std::error_code ec;
  int n = 0;
  for (fs::directory_iterator it("/proc/" + std::to_string(pid) + "/fd", ec), end; !ec && it != end;
       it.increment(ec))
    ++n;
  return n;
}

int64_t file_kib(const fs::path& p) {
  std::error_code ec;
  const auto n = fs::file_size(p, ec);
  return ec ? 0 : static_cast<int64_t>(n / 1024);
}

soak_sample sample(pid_t server, const call_pool& s, const fs::path& db, int64_t t0_us) {
  soak_sample x;
  x.t_s = static_cast<double>(mono_us() - t0_us) / 1e6;
  const auto p = sample_process(server).value_or(proc_sample{});
  x.rss_kib = p.rss_kib;
  x.cpu_s = p.cpu_s;
  x.threads = p.threads;
  x.fds = count_fds(server);
  x.live = s.live;
  x.ended = s.ended;
  x.failed = s.failed;
  x.db_kib = file_kib(db) + file_kib(db.string() + "-wal");
  return x;
}

/// `switchboard serve` with the bench tenant, its files in `dir`.
result<server_process> start_soak_server(const soak_options& o, const fs::path& dir,
                                         const std::string& realtime_url, uint16_t port,
                                         const std::string& token) {
  const std::string config_path = (dir / "config.toml").string();
  std::ofstream{config_path} << server_config_toml("", 1);
  const env_list env = {
      {"PORT", std::to_string(port)},        {"SERVER_PUBLIC_URL", public_url},
      {"TWILIO_AUTH_TOKEN", token},          {"OPENAI_REALTIME_URL", realtime_url},
      {"OPENAI_API_KEY", "soak-dummy-key"},  {"SWITCHBOARD_DB", (dir / "soak.db").string()},
      {"SWITCHBOARD_LOG_LEVEL", o.log_level}};
  const std::string log_path = (dir / "server.log").string();
  if (!add_bench_tenant(o.switchboard_bin, config_path, business_number, env, log_path))
    return error{"tenant", "switchboard tenants add failed; see " + log_path};
  return server_process::start(o.switchboard_bin, config_path, env, port, log_path);
}

/// Every call the run may place: enough for every slot to turn over at the
/// shortest call length, plus one round.
std::vector<sim::call_script> soak_scripts(const soak_options& o) {
  const int rounds = o.minutes * 60 / std::max(1, o.call_min_s) + 2;
  const int turns = o.call_max_s / 4 + 8; // a turn is ~6-9 s: never runs out first
  std::vector<sim::call_script> v;
  for (int i = 0; i < o.calls * rounds; ++i)
    v.push_back(bench_script(i, turns, i % 10 == 0, i % 10 == 5));
  return v;
}

/// Samples every `sample_s` until `minutes` have passed, then hangs up and
/// waits (at most call_max_s + 60 s) for the calls to end.
void sample_run(const soak_options& o, const std::shared_ptr<call_pool>& calls,
                const server_process& server, const fs::path& db, soak_result& r) {
  const int64_t t0 = mono_us();
  const auto end = std::chrono::steady_clock::now() + std::chrono::minutes(o.minutes);
  while (std::chrono::steady_clock::now() < end && server.running()) {
    r.samples.push_back(sample(server.pid(), *calls, db, t0));
    std::this_thread::sleep_for(std::chrono::seconds(o.sample_s));
  }
  drain_pool(calls, o.call_max_s + 60);
  std::this_thread::sleep_for(2s); // the last finalizes
  r.samples.push_back(sample(server.pid(), *calls, db, t0));
}

void fit(soak_result& r) {
  const auto& o = r.options;
  // Steady state: every slot has turned over once (filled, then the longest call).
  r.fit_from_s = o.fit_from_s > 0
                     ? o.fit_from_s
                     : static_cast<double>(o.calls) / std::max(1, o.start_rate) + o.call_max_s;
  std::vector<double> t, rss, fds;
  const soak_sample *first = nullptr, *last = nullptr;
  double live_sum = 0;
  for (std::size_t i = 0; i + 1 < r.samples.size(); ++i) { // the last is after the hang-up
    const auto& s = r.samples[i];
    if (s.t_s < r.fit_from_s)
      continue;
    first = first ? first : &s;
    last = &s;
    live_sum += s.live;
    t.push_back(s.t_s / 60.0);
    rss.push_back(static_cast<double>(s.rss_kib));
    fds.push_back(s.fds);
  }
  r.rss_trend = fit_trend(t, rss);
  r.fd_trend = fit_trend(t, fds);
  if (first && last && last != first && !t.empty()) {
    const double minutes = (last->t_s - first->t_s) / 60.0;
    const double live = live_sum / static_cast<double>(t.size());
    r.cpu_ms_per_call_minute = (last->cpu_s - first->cpu_s) * 1000.0 / (live * minutes);
  }
}

} // namespace

soak_result run_soak(const soak_options& o) {
  soak_result r;
  r.options = o;
  auto start = bench_run_start("switchboard-soak");
  r.date_utc = start.machine.date_utc;
  r.cpu_model = start.machine.cpu_model;
  r.cpus = start.machine.cpus;
  if (!start.error.empty()) {
    r.error = start.error;
    return r;
  }
  const auto& clips = start.clips;
  const fs::path dir = start.dir;
  const scope_exit remove_dir{[&] {
    if (!o.keep)
      fs::remove_all(dir);
  }};

  net::io_runtime io{1};
  auto calls = std::make_shared<call_pool>(io.context(), o.call_min_s, o.call_max_s);
  calls->rng.seed(o.seed);
  calls->scripts = soak_scripts(o);
  sim::peer_options po;
  po.clips = *clips;
  po.scripts = calls->scripts;
  po.record_client_events = false;
  auto peer = sim::realtime_peer::start(io.context(), po);
  if (!peer) {
    r.error = "peer: " + peer.err().message;
    return r;
  }
  const uint16_t port = free_port();
  const std::string token = "soak-token-" + std::to_string(now_ms());
  auto server = start_soak_server(o, dir, (*peer)->url(), port, token);
  if (!server) {
    r.error = server.err().message;
    return r;
  }
  auto& b = calls->base;
  b.server_url = "http://127.0.0.1:" + std::to_string(port);
  b.public_url = public_url;
  b.auth_token = token;
  b.to_number = business_number;
  b.clips = &*clips;
  b.max_call_ms = (o.call_max_s + 120) * 1000;

  fill_pool(calls, o.calls, o.start_rate);
  sample_run(o, calls, *server, dir / "soak.db", r);
  if (!server->running())
    r.error = "the server exited; see its log (--keep)";
  r.calls_started = calls->started;
  r.calls_ended = calls->ended;
  r.calls_failed = calls->failed + (calls->started - calls->ended); // unended count as failed
  {
    std::lock_guard lock(calls->mu);
    r.failures = calls->failures;
  }
  fit(r);
  server->stop();
  (*peer)->stop();
  io.stop();
  return r;
}

} // namespace sb::bench
