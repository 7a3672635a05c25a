#include "bench/report.hpp"

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <cmath>
#include <cstdio>

namespace sb::bench {

namespace {

using writer = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

double ms(int64_t us) {
  return static_cast<double>(us) / 1000.0;
}

void write(writer& w, const char* key, const percentiles& p) {
  w.Key(key);
  w.StartObject();
  w.Key("count");
  w.Int64(p.count);
  w.Key("p50_ms");
  w.Double(ms(p.p50_us));
  w.Key("p95_ms");
  w.Double(ms(p.p95_us));
  w.Key("p99_ms");
  w.Double(ms(p.p99_us));
  w.Key("max_ms");
  w.Double(ms(p.max_us));
  w.EndObject();
}

void write_options(writer& w, const harness_options& o) {
  w.Key("options");
  w.StartObject();
  w.Key("mode");
  w.String(o.ramp ? "ramp" : "fixed");
  w.Key("calls");
  w.Int(o.calls);
  w.Key("duration_s");
  w.Int(o.duration_s);
  w.Key("ramp_start");
  w.Int(o.ramp_start);
  w.Key("ramp_step");
  w.Int(o.ramp_step);
  w.Key("ramp_max");
  w.Int(o.ramp_max);
  w.Key("step_s");
  w.Int(o.step_s);
  w.Key("keep_going");
  w.Bool(o.keep_going);
  w.Key("p99_limit_ms");
  w.Double(o.p99_limit_ms);
  w.Key("openai_leg");
  w.String(o.tls ? "tls" : "plain");
  w.Key("twilio_leg");
  w.String(o.twilio_tls ? "tls" : "plain");
  w.Key("start_rate");
  w.Int(o.start_rate);
  w.Key("function_call_fraction");
  w.Double(o.function_call_fraction);
  w.Key("barge_in_fraction");
  w.Double(o.barge_in_fraction);
  w.Key("bursty");
  w.Bool(o.bursty);
  w.Key("io_threads");
  w.Int(o.io_threads);
  w.Key("server_io_threads");
  w.Int(o.server_io_threads);
  w.Key("server_log_level");
  w.String(o.log_level);
  w.EndObject();
}

void write_step(writer& w, const step_result& s) {
  w.StartObject();
  w.Key("calls");
  w.Int(s.calls);
  w.Key("window_s");
  w.Double(s.window_s);
  write(w, "upstream", s.latency.upstream.summary());
  write(w, "downstream", s.latency.downstream.summary());
  write(w, "turn_added", s.latency.turn_added.summary());
  write(w, "setup", s.latency.setup.summary());
  write(w, "harness_loop_lag", s.loop_lag.summary());
  w.Key("server_cpu_s");
  w.Double(s.server_cpu_s);
  w.Key("server_cpu_ms_per_call_minute");
  w.Double(s.server_cpu_ms_per_call_minute);
  w.Key("server_cpu_cores");
  w.Double(s.window_s > 0 ? s.server_cpu_s / s.window_s : 0);
  w.Key("server_rss_kib");
  w.Int64(s.server_rss_kib);
  w.Key("server_rss_per_call_kib");
  w.Double(s.server_rss_per_call_kib);
  w.Key("server_rss_marginal_kib_per_call");
  w.Double(s.server_rss_marginal_kib_per_call);
  w.Key("server_threads");
  w.Int(s.server_threads);
  w.Key("harness_cpu_pct");
  w.Double(s.harness_cpu_pct);
  w.Key("other_load_cores");
  w.Double(s.other_load_cores);
  // The server's own relay latency, bucket bounds (null: /metrics did not
  // answer, or above the last bound).
  for (auto [key, v] : {std::pair{"server_relay_down_p50_le_ms", s.server_relay_down_p50_le_ms},
                        std::pair{"server_relay_down_p99_le_ms", s.server_relay_down_p99_le_ms},
                        std::pair{"server_relay_up_p99_le_ms", s.server_relay_up_p99_le_ms}}) {
    w.Key(key);
    if (v >= 0 && std::isfinite(v))
      w.Double(v);
    else
      w.Null();
  }
  w.Key("harness_saturated");
  w.Bool(s.harness_saturated);
  w.Key("failed_calls");
  w.Int(s.failed_calls);
  w.Key("held");
  w.Bool(s.held);
  w.EndObject();
}

void write_call(writer& w, const call_record& c) {
  w.StartObject();
  w.Key("index");
  w.Int(c.index);
  w.Key("call_sid");
  w.String(c.call_sid);
  w.Key("ok");
  w.Bool(c.ok);
  if (!c.error.empty()) {
    w.Key("error");
    w.String(c.error);
  }
  w.Key("function_calls");
  w.Bool(c.function_calls);
  w.Key("barge_in");
  w.Bool(c.barge_in);
  w.Key("setup_ms");
  w.Double(c.probe.setup_us >= 0 ? ms(c.probe.setup_us) : -1.0);
  write(w, "upstream", c.probe.upstream);
  write(w, "downstream", c.probe.downstream);
  write(w, "turn_added", c.probe.turn_added);
  w.Key("upstream_bytes");
  w.Int64(c.probe.up_bytes);
  w.Key("downstream_bytes");
  w.Int64(c.probe.down_bytes);
  w.Key("bytes_lost");
  w.Int64(c.probe.up_lost + c.probe.down_lost);
  w.Key("bytes_duplicated");
  w.Int64(c.probe.up_dup + c.probe.down_dup);
  w.Key("mismatched_units");
  w.Int64(c.probe.mismatched_units);
  w.Key("marks_echoed");
  w.Int(c.marks_echoed);
  w.Key("clears_received");
  w.Int(c.clears_received);
  w.Key("replies");
  w.Int(c.turns);
  w.Key("reply_gap_mean_ms");
  w.Int64(c.reply_gap_mean_ms);
  w.EndObject();
}

} // namespace

std::string to_json(const run_result& r) {
  rapidjson::StringBuffer sb;
  writer w(sb);
  w.SetMaxDecimalPlaces(3);
  w.StartObject();
  w.Key("date_utc");
  w.String(r.date_utc);
  w.Key("machine");
  w.StartObject();
  w.Key("cpus");
  w.Int(r.cpus);
  w.Key("cpu_model");
  w.String(r.cpu_model);
  w.Key("mem_total_kib");
  w.Int64(r.mem_total_kib);
  w.Key("fd_limit");
  w.Int64(r.fd_limit);
  w.EndObject();
  write_options(w, r.options);
  if (!r.error.empty()) {
    w.Key("error");
    w.String(r.error);
  }
  w.Key("stop_reason");
  w.String(r.stop_reason);
  w.Key("last_held_calls");
  w.Int(r.last_held_calls);
  w.Key("server_rss_idle_kib");
  w.Int64(r.server_rss_idle_kib);
  w.Key("server_idle_cores");
  w.Double(r.server_idle_cores);
  w.Key("totals");
  w.StartObject();
  w.Key("calls");
  w.Int(static_cast<int>(r.calls.size()));
  w.Key("failed_calls");
  w.Int(r.failed_calls);
  w.Key("bytes_lost");
  w.Int64(r.bytes_lost);
  w.Key("bytes_duplicated");
  w.Int64(r.bytes_duplicated);
  w.Key("mismatched_units");
  w.Int64(r.mismatched_units);
  w.Key("peer_reconnects");
  w.Int(r.peer_reconnects);
  write(w, "upstream", r.all.upstream.summary());
  write(w, "downstream", r.all.downstream.summary());
  write(w, "turn_added", r.all.turn_added.summary());
  w.EndObject();
  w.Key("steps");
  w.StartArray();
  for (const auto& s : r.steps)
    write_step(w, s);
  w.EndArray();
  w.Key("calls");
  w.StartArray();
  for (const auto& c : r.calls)
    write_call(w, c);
  w.EndArray();
  w.EndObject();
  return {sb.GetString(), sb.GetSize()};
}

namespace {
std::string format_bound(double ms) {
  char b[32];
  std::snprintf(b, sizeof b, "%g", ms);
  return b;
}
} // namespace

std::string summary_text(const run_result& r) {
  if (!r.error.empty())
    return "switchboard-bench: " + r.error + "\n";
  std::string s;
  char buf[1024];
  std::snprintf(
      buf, sizeof buf, "switchboard-bench %s, OpenAI leg %s, Twilio leg %s, %s, %d CPUs (%s)\n",
      r.options.ramp ? "ramp" : "fixed", r.options.tls ? "TLS" : "plain",
      r.options.twilio_tls ? "TLS" : "plain", r.date_utc.c_str(), r.cpus, r.cpu_model.c_str());
  s += buf;
  for (const auto& st : r.steps) {
    std::snprintf(buf, sizeof buf,
                  "  %5d calls  %4.0f s  down %s\n"
                  "                        up   %s\n"
                  "                        turn added %s; setup p50 %.0f ms p99 %.0f ms\n"
                  "                        server %.1f ms CPU/call-min, %.2f cores, RSS %lld KiB "
                  "(%.1f KiB/call)"
                  " (+%.1f marginal); harness %.0f%% CPU%s, loop lag p99 %.2f ms; other load %.2f "
                  "cores; failed %d%s\n",
                  st.calls, st.window_s, format_ms(st.latency.downstream.summary()).c_str(),
                  format_ms(st.latency.upstream.summary()).c_str(),
                  format_ms(st.latency.turn_added.summary()).c_str(),
                  ms(st.latency.setup.quantile(0.5)), ms(st.latency.setup.quantile(0.99)),
                  st.server_cpu_ms_per_call_minute, st.server_cpu_s / std::max(st.window_s, 1e-9),
                  static_cast<long long>(st.server_rss_kib), st.server_rss_per_call_kib,
                  st.server_rss_marginal_kib_per_call, st.harness_cpu_pct,
                  st.harness_saturated ? " (SATURATED)" : "", ms(st.loop_lag.quantile(0.99)),
                  st.other_load_cores, st.failed_calls, st.held ? "" : "  <- not held");
    s += buf;
    auto bound = [](double v) {
      return v < 0              ? std::string("n/a")
             : std::isfinite(v) ? "<= " + format_bound(v) + " ms"
                                : std::string("> 250 ms");
    };
    s += "                        server's own relay latency (its /metrics buckets): down p50 " +
         bound(st.server_relay_down_p50_le_ms) + ", p99 " + bound(st.server_relay_down_p99_le_ms) +
         "; up p99 " + bound(st.server_relay_up_p99_le_ms) + "\n";
  }
  std::snprintf(buf, sizeof buf,
                "  server idle: %.3f cores, RSS %lld KiB\n  totals: %zu calls, %d failed, %lld "
                "bytes lost, %lld duplicated, %lld units mismatched; "
                "stop: %s; last N held: %d\n",
                r.server_idle_cores, static_cast<long long>(r.server_rss_idle_kib), r.calls.size(),
                r.failed_calls, static_cast<long long>(r.bytes_lost),
                static_cast<long long>(r.bytes_duplicated),
                static_cast<long long>(r.mismatched_units), r.stop_reason.c_str(),
                r.last_held_calls);
  s += buf;
  for (const auto& c : r.calls)
    if (!c.ok) {
      s += "  first failure: call " + std::to_string(c.index) + ": " + c.error + "\n";
      break;
    }
  return s;
}

std::string to_dat(const run_result& r) {
  std::string s = "# calls down_p50 down_p95 down_p99 down_max up_p50 up_p99 turn_p99 "
                  "cpu_ms_per_call_min server_cores rss_kib_per_call harness_cpu_pct other_cores "
                  "rss_marginal_kib\n";
  char buf[512];
  for (const auto& st : r.steps) {
    const auto d = st.latency.downstream.summary();
    const auto u = st.latency.upstream.summary();
    std::snprintf(
        buf, sizeof buf, "%d %.3f %.3f %.3f %.3f %.3f %.3f %.3f %.2f %.3f %.1f %.1f %.2f %.1f\n",
        st.calls, ms(d.p50_us), ms(d.p95_us), ms(d.p99_us), ms(d.max_us), ms(u.p50_us),
        ms(u.p99_us), ms(st.latency.turn_added.quantile(0.99)), st.server_cpu_ms_per_call_minute,
        st.server_cpu_s / std::max(st.window_s, 1e-9), st.server_rss_per_call_kib,
        st.harness_cpu_pct, st.other_load_cores, st.server_rss_marginal_kib_per_call);
    s += buf;
  }
  return s;
}

} // namespace sb::bench
