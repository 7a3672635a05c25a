// The load run's measurements: samples of the server and the harness, the
// idle server, each step's window, and the step judged.
#include "bench/load_measure.hpp"

#include <algorithm>
#include <thread>

namespace sb::bench::load {

using namespace std::chrono_literals;

void loop_lag_probe::start() {
  arm(std::chrono::steady_clock::now() + 10ms);
}

void loop_lag_probe::arm(std::chrono::steady_clock::time_point at) {
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

samples sample_all(pid_t server) {
  samples s;
  s.server = sample_process(server).value_or(proc_sample{});
  s.self = sample_process(0).value_or(proc_sample{});
  s.system = sample_system().value_or(system_sample{});
  s.at = std::chrono::steady_clock::now();
  return s;
}

void measure_idle_server(const server_process& server, run_result& rr) {
  std::this_thread::sleep_for(500ms);
  const samples a = sample_all(server.pid());
  std::this_thread::sleep_for(2s);
  const samples b = sample_all(server.pid());
  rr.server_rss_idle_kib = b.server.rss_kib;
  rr.server_idle_cores =
      (b.server.cpu_s - a.server.cpu_s) / std::chrono::duration<double>(b.at - a.at).count();
}

step_result measure_window(int target, int window_s, latency_sink& sink, loop_lag_probe& lag,
                           const server_process& server, const metrics_source& metrics,
                           const run_result& rr) {
  std::this_thread::sleep_for(3s);         // the last calls' greetings
  const latency_window warm = sink.take(); // warm-up samples are not the step's, but set-ups are
  lag.take();
  const relay_latency_scrape relay_a = scrape_relay_latency(metrics.port, metrics.bearer);
  const samples a = sample_all(server.pid());
  std::this_thread::sleep_for(std::chrono::seconds(window_s));
  const samples b = sample_all(server.pid());
  const relay_latency_scrape relay_b = scrape_relay_latency(metrics.port, metrics.bearer);
  step_result s;
  s.server_relay_down_p50_le_ms = bucket_quantile_ms(relay_a.downstream, relay_b.downstream, 0.50);
  s.server_relay_down_p99_le_ms = bucket_quantile_ms(relay_a.downstream, relay_b.downstream, 0.99);
  s.server_relay_up_p99_le_ms = bucket_quantile_ms(relay_a.upstream, relay_b.upstream, 0.99);
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

} // namespace sb::bench::load
