// The load run: peer and callers in this process, the server apart; calls
// started at a steady rate, held for a window per step, then hung up
// together (each at its next pause between turns, so no audio is in flight).
#include "bench/load_harness.hpp"

#include "bench/bench_setup.hpp"
#include "bench/proc_stats.hpp"
#include "bench/server_process.hpp"
#include "common/scope_exit.hpp"
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

/// The run's shape: the live calls of each step (one step in fixed mode),
/// the measurement window, and how long a call may last.
struct run_plan {
  std::vector<int> targets;
  int max_calls = 0;
  int window_s = 0;
  int total_s = 0;
  int turns = 0;
};

run_plan plan_run(const harness_options& o) {
  run_plan p;
  if (o.ramp)
    for (int n = o.ramp_start; n <= o.ramp_max; n += std::max(1, o.ramp_step))
      p.targets.push_back(n);
  else
    p.targets.push_back(o.calls);
  p.max_calls = p.targets.back();
  p.window_s = o.ramp ? o.step_s : o.duration_s;
  p.total_s = static_cast<int>(p.targets.size()) * (p.window_s + 15) +
              p.max_calls / std::max(1, o.start_rate) + 30;
  p.turns = p.total_s / 4 + 8; // a turn takes ~6-9 s: never run out before the hang-up
  return p;
}

/// A run's result before anything ran: the options and the machine.
run_result new_run_result(const harness_options& o) {
  run_result rr;
  rr.options = o;
  const auto machine = read_machine_info();
  rr.date_utc = machine.date_utc;
  rr.cpu_model = machine.cpu_model;
  rr.cpus = machine.cpus;
  rr.mem_total_kib = machine.mem_total_kib;
  rr.fd_limit = raise_fd_limit(); // inherited by the server we start
  return rr;
}

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
void add_calls(call_table& t, const harness_options& o, const run_plan& plan, run_result& rr) {
  const int fc_every = o.function_call_fraction > 0
                           ? std::max(1, static_cast<int>(1.0 / o.function_call_fraction + 0.5))
                           : 0;
  const int bi_every =
      o.barge_in_fraction > 0 ? std::max(1, static_cast<int>(1.0 / o.barge_in_fraction + 0.5)) : 0;
  for (int i = 0; i < plan.max_calls; ++i) {
    const bool fc = fc_every > 0 && i % fc_every == 0;
    const bool bi = bi_every > 0 && i % bi_every == bi_every / 2;
    t.scripts.push_back(bench_script(i, plan.turns, fc, bi));
    t.calls.push_back(std::make_unique<live_call>(&t.sink));
    t.by_number[t.scripts.back().caller_number] = t.calls.back().get();
    rr.calls.push_back({});
    rr.calls.back().index = i;
    rr.calls.back().function_calls = fc;
    rr.calls.back().barge_in = bi;
  }
}

/// The peer's options: the scripts, and hooks that feed each call's probe.
sim::peer_options peer_options_for(call_table& t, const sim::clip_library& clips) {
  sim::peer_options po;
  po.clips = clips;
  po.scripts = t.scripts;
  po.record_client_events = false;
  po.on_audio_received = [&t](const std::string& number, int conn, int64_t, std::string_view bytes,
                              int64_t at) {
    if (live_call* c = t.find(number, conn)) {
      c->probe.note_peer_connection(conn);
      c->probe.upstream_received(bytes, at);
    }
  };
  po.on_audio_sent = [&t](const std::string& number, int conn, int64_t, std::string_view bytes,
                          int64_t at) {
    if (live_call* c = t.find(number, conn))
      c->probe.downstream_sent(bytes, at);
  };
  return po;
}

/// One generated CA signs the peer's certificate (--tls) and the server's
/// (--twilio-tls); the files the server reads are in the work dir.
struct tls_material {
  std::optional<net::pem_pair> ca;
  std::string ca_file;                           ///< the CA, for the server's OpenAI leg (--tls)
  std::string server_cert_file, server_key_file; ///< --twilio-tls
};

/// Makes the run's TLS material and gives the peer its certificate (--tls).
tls_material make_tls_material(const harness_options& o, const fs::path& dir,
                               sim::peer_options& po) {
  tls_material m;
  if (o.tls || o.twilio_tls)
    m.ca = net::make_test_ca("Switchboard bench CA");
  if (o.tls) {
    auto cert = net::make_server_cert(*m.ca, {"localhost"}, {"127.0.0.1"});
    po.tls_cert_pem = cert.cert_pem;
    po.tls_key_pem = cert.key_pem;
    m.ca_file = (dir / "bench-ca.pem").string();
    std::ofstream{m.ca_file} << m.ca->cert_pem;
  }
  if (o.twilio_tls) {
    auto cert = net::make_server_cert(*m.ca, {"localhost"}, {"127.0.0.1"});
    m.server_cert_file = (dir / "server-cert.pem").string();
    m.server_key_file = (dir / "server-key.pem").string();
    std::ofstream{m.server_cert_file} << cert.cert_pem;
    std::ofstream{m.server_key_file} << cert.key_pem;
  }
  return m;
}

/// `switchboard serve` as its own process on `port`, with the bench tenant
/// added, its config, database and log in `dir`.
result<server_process> start_server(const harness_options& o, const fs::path& dir,
                                    const tls_material& tls, const std::string& realtime_url,
                                    uint16_t port, const std::string& token) {
  const std::string config_path = (dir / "config.toml").string();
  std::ofstream{config_path} << server_config_toml(tls.ca_file, o.server_io_threads,
                                                   tls.server_cert_file, tls.server_key_file);
  env_list env = {
      {"PORT", std::to_string(port)},        {"SERVER_PUBLIC_URL", public_url},
      {"TWILIO_AUTH_TOKEN", token},          {"OPENAI_REALTIME_URL", realtime_url},
      {"OPENAI_API_KEY", "bench-dummy-key"}, {"SWITCHBOARD_DB", (dir / "bench.db").string()},
      {"SWITCHBOARD_LOG_LEVEL", o.log_level}};
  // Experiments on the server alone (bench/tools/nodelay_preload.c).
  if (const char* preload = std::getenv("BENCH_SERVER_LD_PRELOAD"))
    env.emplace_back("LD_PRELOAD", preload);
  const std::string log_path = (dir / "server.log").string();
  if (!add_bench_tenant(o.switchboard_bin, config_path, business_number, env, log_path))
    return error{"tenant", "switchboard tenants add failed; see " + log_path};
  return server_process::start(o.switchboard_bin, config_path, env, port, log_path);
}

/// The server's memory and CPU with no calls (after 0.5 s to settle, over 2 s).
void measure_idle_server(const server_process& server, run_result& rr) {
  std::this_thread::sleep_for(500ms);
  const samples a = sample_all(server.pid());
  std::this_thread::sleep_for(2s);
  const samples b = sample_all(server.pid());
  rr.server_rss_idle_kib = b.server.rss_kib;
  rr.server_idle_cores =
      (b.server.cpu_s - a.server.cpu_s) / std::chrono::duration<double>(b.at - a.at).count();
}

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

  void operator()(int i) const {
    sim::caller_options co;
    co.server_url =
        (o.twilio_tls ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(port);
    if (o.twilio_tls)
      co.ca_pem = tls.ca->cert_pem;
    co.public_url = public_url;
    co.auth_token = token;
    co.to_number = business_number;
    co.script = table.scripts[static_cast<std::size_t>(i)];
    co.clips = &clips;
    co.max_call_ms = (total_s + 120) * 1000;
    co.hang_up = hang_up;
    // Every silence frame differs (its tick in the lowest mu-law step), so
    // the probe's per-unit hash sees a reordered frame of silence too.
    co.tag_silence = true;
    live_call* c = &table[i];
    co.on_audio_sent = [c](int64_t, std::string_view b, int64_t t) {
      c->probe.upstream_sent(b, t);
    };
    co.on_audio_received = [c](int64_t, std::string_view b, int64_t t) {
      c->probe.downstream_received(b, t);
    };
    c->probe.call_started(mono_us());
    sim::run_caller(io, std::move(co), [c, &failed = failed](sim::caller_result r) {
      if (!r.ok)
        ++failed;
      c->result = std::move(r);
      c->done = true;
    });
  }
};

/// Starts calls `started` .. `target` - 1, `start_rate` a second.
void start_calls(const call_starter& start_call, int& started, int target, int start_rate) {
  const auto t_start = std::chrono::steady_clock::now();
  const int first = started;
  for (; started < target; ++started) {
    std::this_thread::sleep_until(
        t_start +
        std::chrono::microseconds(1'000'000LL * (started - first) / std::max(1, start_rate)));
    boost::asio::post(start_call.io, [&start_call, i = started] { start_call(i); });
  }
}

/// One step's window at `target` live calls, after their greetings: latency,
/// the server's CPU and memory, the harness's own load.
step_result measure_window(int target, int window_s, latency_sink& sink, loop_lag_probe& lag,
                           const server_process& server, const run_result& rr) {
  std::this_thread::sleep_for(3s);         // the last calls' greetings
  const latency_window warm = sink.take(); // warm-up samples are not the step's, but set-ups are
  lag.take();
  const samples a = sample_all(server.pid());
  std::this_thread::sleep_for(std::chrono::seconds(window_s));
  const samples b = sample_all(server.pid());
  step_result s;
  s.calls = target;
  s.window_s = std::chrono::duration<double>(b.at - a.at).count();
  s.latency = sink.take();
  s.latency.setup.merge(warm.setup);
  s.loop_lag = lag.take();
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
  return s;
}

/// Judges and records a measured step; true when the run stops here.
bool record_step(step_result s, int failed_now, int& failed_before, const server_process& server,
                 const harness_options& o, run_result& rr) {
  s.failed_calls = failed_now - failed_before;
  failed_before = failed_now;
  s.harness_saturated =
      s.harness_cpu_pct >= 90.0 * o.io_threads || s.loop_lag.quantile(0.99) > 5'000;
  const double p99_ms = static_cast<double>(s.latency.downstream.quantile(0.99)) / 1000.0;
  s.held = s.failed_calls == 0 && failed_now == 0 && p99_ms <= o.p99_limit_ms && server.running();
  rr.all.upstream.merge(s.latency.upstream);
  rr.all.downstream.merge(s.latency.downstream);
  rr.all.turn_added.merge(s.latency.turn_added);
  rr.steps.push_back(std::move(s));
  if (!rr.steps.back().held && rr.stop_reason.empty())
    rr.stop_reason = failed_now > 0      ? "a call failed"
                     : !server.running() ? "the server exited"
                                         : "p99 downstream above the limit";
  if (!rr.stop_reason.empty() && (!o.keep_going || !server.running()))
    return true;
  if (rr.stop_reason.empty())
    rr.last_held_calls = rr.steps.back().calls;
  return false;
}

/// Hangs every started call up and waits (at most 60 s) for them to end,
/// then for the last bytes: until none has arrived anywhere for 1 s (at
/// most 20 s), as a loaded bridge may still be relaying the last frames.
void hang_up_and_settle(std::atomic<bool>& hang_up, call_table& t, int started) {
  hang_up.store(true);
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  auto all_done = [&] {
    for (int i = 0; i < started; ++i)
      if (!t[i].done)
        return false;
    return true;
  };
  while (!all_done() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(100ms);
  auto received = [&] {
    int64_t n = 0;
    for (int i = 0; i < started; ++i)
      n += t[i].probe.received_bytes();
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
}

/// Each started call's record and the run's totals.
void collect_calls(call_table& t, int started, run_result& rr) {
  rr.calls.resize(static_cast<std::size_t>(started));
  for (int i = 0; i < started; ++i) {
    auto& c = t[i];
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
}

} // namespace

run_result run_load(const harness_options& o) {
  run_result rr = new_run_result(o);
  auto clips = sim::clip_library::load_default();
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
  const scope_exit remove_dir{[&] {
    if (!o.keep)
      fs::remove_all(dir);
  }};
  const run_plan plan = plan_run(o);

  // -- the peer (OpenAI stand-in) --
  call_table calls{plan.max_calls};
  add_calls(calls, o, plan, rr);
  net::io_runtime io{o.io_threads};
  sim::peer_options po = peer_options_for(calls, *clips);
  if (o.bursty)
    po.delta_interval_ms = 0;
  const tls_material tls = make_tls_material(o, dir, po);
  auto peer = sim::realtime_peer::start(io.context(), po);
  if (!peer) {
    rr.error = "peer: " + peer.err().message;
    return rr;
  }

  // -- the server, a separate process --
  const uint16_t port = free_port();
  const std::string token = "bench-token-" + std::to_string(now_ms());
  auto server = start_server(o, dir, tls, (*peer)->url(), port, token);
  if (!server) {
    rr.error = server.err().message;
    return rr;
  }
  measure_idle_server(*server, rr);
  auto lag = std::make_shared<loop_lag_probe>(io.context());
  boost::asio::post(io.context(), [lag] { lag->start(); });

  // -- calls, step by step --
  auto hang_up = std::make_shared<std::atomic<bool>>(false);
  std::atomic<int> failed{0};
  int started = 0;
  const call_starter start_call{o,     io.context(), port,         tls,     token,
                                calls, *clips,       plan.total_s, hang_up, failed};
  int failed_before = 0;
  for (int target : plan.targets) {
    start_calls(start_call, started, target, o.start_rate);
    step_result s = measure_window(target, plan.window_s, calls.sink, *lag, *server, rr);
    if (record_step(std::move(s), failed.load(), failed_before, *server, o, rr))
      break;
  }
  if (rr.stop_reason.empty())
    rr.stop_reason = o.ramp ? "reached the ramp's maximum" : "duration reached";

  // -- hang up, collect --
  hang_up_and_settle(*hang_up, calls, started);
  lag->stop();
  collect_calls(calls, started, rr);
  server->stop();
  (*peer)->stop();
  io.stop();
  return rr;
}

} // namespace sb::bench
