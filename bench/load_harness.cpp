// The load run: peer and callers in this process, the server apart; calls
// started at a steady rate, held for a window per step, then hung up
// together (each at its next pause between turns, so no audio is in flight).
#include "bench/load_harness.hpp"

#include "bench/bench_setup.hpp"
#include "bench/proc_stats.hpp"
#include "bench/server_process.hpp"
#include "common/time.hpp"
#include "net/io.hpp"
#include "net/test_ca.hpp"
#include "sim/caller.hpp"
#include "sim/realtime_peer.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

namespace sb::bench {

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const std::string business_number = "+15551230000";
const std::string public_url = "https://switchboard.bench.invalid";

/// Every call of the run, shared with the io thread's callbacks.
struct live_call {
  explicit live_call(latency_sink* sink) : probe(sink) {}
  latency_probe probe;
  std::atomic<bool> done{false};
  sim::caller_result result;
};

/// The harness's own loop health: a 10 ms timer's lateness.
class loop_lag_probe : public std::enable_shared_from_this<loop_lag_probe> {
public:
  explicit loop_lag_probe(boost::asio::io_context& io) : timer_(io) {}
  void start() { arm(std::chrono::steady_clock::now() + 10ms); }
  void stop() {
    stopped_ = true;
    timer_.cancel();
  }
  histogram take() {
    std::lock_guard lock(mu_);
    return std::exchange(lag_, histogram{});
  }

private:
  void arm(std::chrono::steady_clock::time_point at) {
    timer_.expires_at(at);
    timer_.async_wait([self = shared_from_this(), at](const boost::system::error_code& ec) {
      if (ec || self->stopped_)
        return;
      const auto now = std::chrono::steady_clock::now();
      {
        std::lock_guard lock(self->mu_);
        self->lag_.add(std::chrono::duration_cast<std::chrono::microseconds>(now - at).count());
      }
      self->arm(now + 10ms);
    });
  }
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

samples sample_all(pid_t server) {
  samples s;
  s.server = sample_process(server).value_or(proc_sample{});
  s.self = sample_process(0).value_or(proc_sample{});
  s.system = sample_system().value_or(system_sample{});
  s.at = std::chrono::steady_clock::now();
  return s;
}

} // namespace

run_result run_load(const harness_options& o) {
  run_result rr;
  rr.options = o;
  const auto machine = read_machine_info();
  rr.date_utc = machine.date_utc;
  rr.cpu_model = machine.cpu_model;
  rr.cpus = machine.cpus;
  rr.mem_total_kib = machine.mem_total_kib;
  rr.fd_limit = raise_fd_limit(); // inherited by the server we start

  auto clips = sim::clip_library::load(sim::default_clip_dir());
  if (!clips) {
    rr.error = "speech clips: " + clips.err().message;
    return rr;
  }
  char tmpl[] = "/tmp/switchboard-bench-XXXXXX";
  if (!mkdtemp(tmpl)) {
    rr.error = "cannot make a work dir";
    return rr;
  }
  const fs::path dir = tmpl;
  struct cleanup_t {
    fs::path d;
    bool keep;
    ~cleanup_t() {
      if (!keep)
        fs::remove_all(d);
    }
  } cleanup{dir, o.keep};

  // -- plan: how many calls in all, and how long they may last --
  std::vector<int> targets;
  if (o.ramp)
    for (int n = o.ramp_start; n <= o.ramp_max; n += std::max(1, o.ramp_step))
      targets.push_back(n);
  else
    targets.push_back(o.calls);
  const int max_calls = targets.back();
  const int window_s = o.ramp ? o.step_s : o.duration_s;
  const int total_s = static_cast<int>(targets.size()) * (window_s + 15) +
                      max_calls / std::max(1, o.start_rate) + 30;
  const int turns = total_s / 4 + 8; // a turn takes ~6-9 s: never run out before the hang-up

  // -- the peer (OpenAI stand-in) --
  latency_sink sink;
  std::vector<std::unique_ptr<live_call>> calls;
  std::unordered_map<std::string, live_call*> by_number;
  struct conn_slot { // see find_call below
    const std::string* number = nullptr;
    live_call* call = nullptr;
  };
  std::vector<conn_slot> by_conn(static_cast<std::size_t>(max_calls) * 2 + 16);
  std::vector<sim::call_script> scripts;
  const int fc_every = o.function_call_fraction > 0
                           ? std::max(1, static_cast<int>(1.0 / o.function_call_fraction + 0.5))
                           : 0;
  const int bi_every =
      o.barge_in_fraction > 0 ? std::max(1, static_cast<int>(1.0 / o.barge_in_fraction + 0.5)) : 0;
  for (int i = 0; i < max_calls; ++i) {
    const bool fc = fc_every > 0 && i % fc_every == 0;
    const bool bi = bi_every > 0 && i % bi_every == bi_every / 2;
    scripts.push_back(bench_script(i, turns, fc, bi));
    calls.push_back(std::make_unique<live_call>(&sink));
    by_number[scripts.back().caller_number] = calls.back().get();
    rr.calls.push_back({});
    rr.calls.back().index = i;
    rr.calls.back().function_calls = fc;
    rr.calls.back().barge_in = bi;
  }

  net::io_runtime io{o.io_threads};
  sim::peer_options po;
  po.clips = *clips;
  po.scripts = scripts;
  po.record_client_events = false;
  // The peer's hooks run on every frame: find the call through a slot per
  // connection number, keyed by the address of the script's caller number
  // (stable: the peer's copy of the scripts), rather than hashing the number
  // each time. A connection's hooks run under that connection's mutex, so a
  // slot is never touched by two threads at once.
  auto find_call = [&by_number, &by_conn](const std::string& number, int conn) -> live_call* {
    const auto i = static_cast<std::size_t>(conn);
    if (i < by_conn.size() && by_conn[i].number == &number)
      return by_conn[i].call;
    auto it = by_number.find(number);
    live_call* c = it == by_number.end() ? nullptr : it->second;
    if (i < by_conn.size())
      by_conn[i] = {&number, c};
    return c;
  };
  po.on_audio_received = [find_call](const std::string& number, int conn, int64_t,
                                     std::string_view bytes, int64_t t) {
    if (live_call* c = find_call(number, conn)) {
      c->probe.note_peer_connection(conn);
      c->probe.upstream_received(bytes, t);
    }
  };
  po.on_audio_sent = [find_call](const std::string& number, int conn, int64_t,
                                 std::string_view bytes, int64_t t) {
    if (live_call* c = find_call(number, conn))
      c->probe.downstream_sent(bytes, t);
  };
  // One generated CA signs the peer's certificate (--tls) and the server's
  // (--twilio-tls).
  std::optional<net::pem_pair> ca;
  if (o.tls || o.twilio_tls)
    ca = net::make_test_ca("Switchboard bench CA");
  std::string ca_file;
  if (o.tls) {
    auto cert = net::make_server_cert(*ca, {"localhost"}, {"127.0.0.1"});
    po.tls_cert_pem = cert.cert_pem;
    po.tls_key_pem = cert.key_pem;
    ca_file = (dir / "bench-ca.pem").string();
    std::ofstream{ca_file} << ca->cert_pem;
  }
  std::string server_cert_file, server_key_file;
  if (o.twilio_tls) {
    auto cert = net::make_server_cert(*ca, {"localhost"}, {"127.0.0.1"});
    server_cert_file = (dir / "server-cert.pem").string();
    server_key_file = (dir / "server-key.pem").string();
    std::ofstream{server_cert_file} << cert.cert_pem;
    std::ofstream{server_key_file} << cert.key_pem;
  }
  auto peer = sim::realtime_peer::start(io.context(), po);
  if (!peer) {
    rr.error = "peer: " + peer.err().message;
    return rr;
  }

  // -- the server, a separate process --
  const std::string config_path = (dir / "config.toml").string();
  std::ofstream{config_path} << server_config_toml(ca_file, o.server_io_threads, server_cert_file,
                                                   server_key_file);
  const uint16_t port = free_port();
  const std::string token = "bench-token-" + std::to_string(now_ms());
  env_list env = {
      {"PORT", std::to_string(port)},        {"SERVER_PUBLIC_URL", public_url},
      {"TWILIO_AUTH_TOKEN", token},          {"OPENAI_REALTIME_URL", (*peer)->url()},
      {"OPENAI_API_KEY", "bench-dummy-key"}, {"SWITCHBOARD_DB", (dir / "bench.db").string()},
      {"SWITCHBOARD_LOG_LEVEL", o.log_level}};
  // Experiments on the server alone (bench/tools/nodelay_preload.c).
  if (const char* preload = std::getenv("BENCH_SERVER_LD_PRELOAD"))
    env.emplace_back("LD_PRELOAD", preload);
  const std::string log_path = (dir / "server.log").string();
  if (!add_bench_tenant(o.switchboard_bin, config_path, business_number, env, log_path)) {
    rr.error = "switchboard tenants add failed; see " + log_path;
    return rr;
  }
  auto server = server_process::start(o.switchboard_bin, config_path, env, port, log_path);
  if (!server) {
    rr.error = server.err().message;
    return rr;
  }
  std::this_thread::sleep_for(500ms);
  {
    const samples a = sample_all(server->pid());
    std::this_thread::sleep_for(2s);
    const samples b = sample_all(server->pid());
    rr.server_rss_idle_kib = b.server.rss_kib;
    rr.server_idle_cores =
        (b.server.cpu_s - a.server.cpu_s) / std::chrono::duration<double>(b.at - a.at).count();
  }

  auto lag = std::make_shared<loop_lag_probe>(io.context());
  boost::asio::post(io.context(), [lag] { lag->start(); });

  // -- calls --
  auto hang_up = std::make_shared<std::atomic<bool>>(false);
  std::atomic<int> failed{0};
  int started = 0;
  auto start_call = [&](int i) {
    sim::caller_options co;
    co.server_url =
        (o.twilio_tls ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(port);
    if (o.twilio_tls)
      co.ca_pem = ca->cert_pem;
    co.public_url = public_url;
    co.auth_token = token;
    co.to_number = business_number;
    co.script = scripts[static_cast<std::size_t>(i)];
    co.clips = &*clips;
    co.max_call_ms = (total_s + 120) * 1000;
    co.hang_up = hang_up;
    live_call* c = calls[static_cast<std::size_t>(i)].get();
    co.on_audio_sent = [c](int64_t, std::string_view b, int64_t t) {
      c->probe.upstream_sent(b, t);
    };
    co.on_audio_received = [c](int64_t, std::string_view b, int64_t t) {
      c->probe.downstream_received(b, t);
    };
    c->probe.call_started(mono_us());
    sim::run_caller(io.context(), std::move(co), [c, &failed](sim::caller_result r) {
      if (!r.ok)
        ++failed;
      c->result = std::move(r);
      c->done = true;
    });
  };

  int failed_before = 0;
  for (int target : targets) {
    // Start the step's new calls at start_rate, then wait for their greetings.
    const auto t_start = std::chrono::steady_clock::now();
    const int first = started;
    for (; started < target; ++started) {
      std::this_thread::sleep_until(
          t_start +
          std::chrono::microseconds(1'000'000LL * (started - first) / std::max(1, o.start_rate)));
      boost::asio::post(io.context(), [&start_call, i = started] { start_call(i); });
    }
    std::this_thread::sleep_for(3s);         // the last calls' greetings
    const latency_window warm = sink.take(); // warm-up samples are not the step's, but set-ups are
    lag->take();
    const samples a = sample_all(server->pid());
    std::this_thread::sleep_for(std::chrono::seconds(window_s));
    const samples b = sample_all(server->pid());
    step_result s;
    s.calls = target;
    s.window_s = std::chrono::duration<double>(b.at - a.at).count();
    s.latency = sink.take();
    s.latency.setup.merge(warm.setup);
    s.loop_lag = lag->take();
    s.server_cpu_s = b.server.cpu_s - a.server.cpu_s;
    s.server_cpu_ms_per_call_minute = s.server_cpu_s * 1000.0 / (target * s.window_s / 60.0);
    s.server_rss_kib = b.server.rss_kib;
    s.server_rss_per_call_kib =
        static_cast<double>(b.server.rss_kib - rr.server_rss_idle_kib) / target;
    s.server_threads = b.server.threads;
    const int64_t prev_rss =
        rr.steps.empty() ? rr.server_rss_idle_kib : rr.steps.back().server_rss_kib;
    const int prev_calls = rr.steps.empty() ? 0 : rr.steps.back().calls;
    s.server_rss_marginal_kib_per_call =
        static_cast<double>(b.server.rss_kib - prev_rss) / std::max(1, target - prev_calls);
    const double self_cpu = b.self.cpu_s - a.self.cpu_s;
    s.harness_cpu_pct = 100.0 * self_cpu / s.window_s;
    s.other_load_cores =
        ((b.system.busy_s - a.system.busy_s) - self_cpu - s.server_cpu_s) / s.window_s;
    const int failed_now = failed.load();
    s.failed_calls = failed_now - failed_before;
    failed_before = failed_now;
    s.harness_saturated =
        s.harness_cpu_pct >= 90.0 * o.io_threads || s.loop_lag.quantile(0.99) > 5'000;
    const double p99_ms = static_cast<double>(s.latency.downstream.quantile(0.99)) / 1000.0;
    s.held =
        s.failed_calls == 0 && failed_now == 0 && p99_ms <= o.p99_limit_ms && server->running();
    rr.all.upstream.merge(s.latency.upstream);
    rr.all.downstream.merge(s.latency.downstream);
    rr.all.turn_added.merge(s.latency.turn_added);
    rr.steps.push_back(std::move(s));
    if (!rr.steps.back().held && rr.stop_reason.empty())
      rr.stop_reason = failed_now > 0       ? "a call failed"
                       : !server->running() ? "the server exited"
                                            : "p99 downstream above the limit";
    if (!rr.stop_reason.empty() && (!o.keep_going || !server->running()))
      break;
    if (rr.stop_reason.empty())
      rr.last_held_calls = target;
  }
  if (rr.stop_reason.empty())
    rr.stop_reason = o.ramp ? "reached the ramp's maximum" : "duration reached";

  // -- hang up, collect --
  hang_up->store(true);
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  auto all_done = [&] {
    for (int i = 0; i < started; ++i)
      if (!calls[static_cast<std::size_t>(i)]->done)
        return false;
    return true;
  };
  while (!all_done() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(100ms);
  // A loaded bridge may still be relaying the last frames: wait until no
  // byte has arrived anywhere for 1 s (at most 20 s), then count.
  auto received = [&] {
    int64_t n = 0;
    for (int i = 0; i < started; ++i)
      n += calls[static_cast<std::size_t>(i)]->probe.received_bytes();
    return n;
  };
  int64_t last = -1;
  for (int i = 0; i < 20; ++i) {
    const int64_t now_n = received();
    if (now_n == last)
      break;
    last = now_n;
    std::this_thread::sleep_for(1s);
  }
  lag->stop();
  rr.calls.resize(static_cast<std::size_t>(started));
  for (int i = 0; i < started; ++i) {
    auto& c = *calls[static_cast<std::size_t>(i)];
    auto& rec = rr.calls[static_cast<std::size_t>(i)];
    rec.probe = c.probe.finish();
    if (!c.done) {
      rec.ok = false;
      rec.error = "did not end within 60 s of the hang-up";
    } else {
      rec.ok = c.result.ok;
      rec.error = c.result.error;
      rec.call_sid = c.result.call_sid;
      rec.marks_echoed = c.result.marks_echoed;
      rec.clears_received = c.result.clears_received;
      rec.turns = static_cast<int>(c.result.reply_gap_ms.size());
      if (!c.result.reply_gap_ms.empty()) {
        int64_t sum = 0;
        for (auto g : c.result.reply_gap_ms)
          sum += g;
        rec.reply_gap_mean_ms = sum / static_cast<int64_t>(c.result.reply_gap_ms.size());
      }
    }
    rr.failed_calls += rec.ok ? 0 : 1;
    rr.bytes_lost += rec.probe.up_lost + rec.probe.down_lost;
    rr.bytes_duplicated += rec.probe.up_dup + rec.probe.down_dup;
    rr.mismatched_units += rec.probe.mismatched_units;
    rr.peer_reconnects += std::max(0, rec.probe.peer_connections - 1);
  }
  server->stop();
  (*peer)->stop();
  io.stop();
  return rr;
}

} // namespace sb::bench
