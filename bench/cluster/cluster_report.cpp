// switchboard-cluster-bench's outputs: the JSON of a run and its summary.
#include "bench/cluster/cluster_bench.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace sb::bench {

namespace {

using writer = rapidjson::Writer<rapidjson::StringBuffer>;

void put(writer& w, const char* k, double v) {
  w.Key(k);
  w.Double(std::round(v * 1000.0) / 1000.0);
}
void put(writer& w, const char* k, int64_t v) {
  w.Key(k);
  w.Int64(v);
}
void put(writer& w, const char* k, int v) {
  w.Key(k);
  w.Int(v);
}
void put(writer& w, const char* k, const std::string& v) {
  w.Key(k);
  w.String(v.c_str());
}

void put(writer& w, const char* k, const ms_summary& s) {
  w.Key(k);
  w.StartObject();
  put(w, "count", s.count);
  put(w, "mean_ms", s.mean);
  put(w, "p50_ms", s.p50);
  put(w, "p99_ms", s.p99);
  put(w, "max_ms", s.max);
  w.EndObject();
}

void put_load(writer& w, const load_result& l) {
  w.Key("load");
  w.StartObject();
  put(w, "window_s", l.window_s);
  put(w, "live_calls_mean", l.live_calls_mean);
  put(w, "server_cpu_s", l.server_cpu_s);
  put(w, "server_cpu_ms_per_call_minute", l.server_cpu_ms_per_call_minute);
  put(w, "db_cpu_s", l.db_cpu_s);
  put(w, "db_cpu_ms_per_call_minute", l.db_cpu_ms_per_call_minute);
  put(w, "other_load_cores", l.other_load_cores);
  put(w, "loadavg_1m_start", l.loadavg_1m_start);
  put(w, "loadavg_1m_end", l.loadavg_1m_end);
  put(w, "server_rss_kib", l.server_rss_kib);
  put(w, "webhook", l.webhook);
  put(w, "webhook_errors", l.webhook_errors);
  put(w, "finalize", l.finalize);
  put(w, "finalize_metric_count", l.finalize_metric_count);
  put(w, "finalize_metric_mean_ms", l.finalize_metric_mean_ms);
  put(w, "finalize_metric_le_100ms", l.finalize_metric_le_100ms);
  put(w, "calls_started", l.calls_started);
  put(w, "calls_ended", l.calls_ended);
  put(w, "calls_failed", l.calls_failed);
  put(w, "calls_without_card", l.calls_without_card);
  w.Key("failures");
  w.StartArray();
  for (const auto& f : l.failures)
    w.String(f.c_str());
  w.EndArray();
  put(w, "db_span_s", l.db_span_s);
  put(w, "probe_requests", l.probe_requests);
  put(w, "xact_commit", l.xact_commit);
  put(w, "tup_inserted", l.tup_inserted);
  put(w, "tup_updated", l.tup_updated);
  put(w, "tup_deleted", l.tup_deleted);
  put(w, "tup_fetched", l.tup_fetched);
  put(w, "idle_s", l.idle_s);
  put(w, "idle_commit_per_s", l.idle_commit_per_s);
  put(w, "idle_inserted_per_s", l.idle_inserted_per_s);
  put(w, "idle_updated_per_s", l.idle_updated_per_s);
  put(w, "calls_per_node", l.calls_per_node);
  w.EndObject();
}

void put_takeover(writer& w, const takeover_result& t) {
  w.Key("takeover");
  w.StartObject();
  put(w, "calls", t.calls);
  put(w, "heartbeat_age_at_kill_ms", t.heartbeat_age_at_kill_ms);
  put(w, "expiry_ms", t.expiry_ms);
  put(w, "first_claim_ms", t.first_claim_ms);
  put(w, "claimed_ms", t.claimed_ms);
  put(w, "first_final_ms", t.first_final_ms);
  put(w, "finalized_ms", t.finalized_ms);
  put(w, "first_resumed_ms", t.first_resumed_ms);
  put(w, "resumed_ms", t.resumed_ms);
  put(w, "end_reasons", t.end_reasons);
  w.EndObject();
}

} // namespace

ms_summary summarize(std::vector<double> v) {
  ms_summary s;
  s.count = static_cast<int64_t>(v.size());
  if (v.empty())
    return s;
  std::sort(v.begin(), v.end());
  double sum = 0;
  for (double x : v)
    sum += x;
  s.mean = sum / static_cast<double>(v.size());
  // Nearest rank: the smallest value with at least q of the sample at or below it.
  auto rank = [&](double q) {
    const auto i = static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size())));
    return v[std::min(v.size() - 1, i == 0 ? 0 : i - 1)];
  };
  s.p50 = rank(0.50);
  s.p99 = rank(0.99);
  s.max = v.back();
  return s;
}

std::string cluster_json(const cluster_result& r) {
  rapidjson::StringBuffer buf;
  writer w(buf);
  const auto& o = r.options;
  w.StartObject();
  put(w, "date_utc", r.date_utc);
  put(w, "cpus", r.cpus);
  put(w, "cpu_model", r.cpu_model);
  w.Key("options");
  w.StartObject();
  put(w, "mode", std::string{o.takeover ? "takeover" : "load"});
  put(w, "database", o.database);
  put(w, "nodes", o.nodes);
  put(w, "calls", o.calls);
  put(w, "call_min_s", o.call_min_s);
  put(w, "call_max_s", o.call_max_s);
  put(w, "window_s", o.window_s);
  put(w, "webhook_rate", o.webhook_rate);
  put(w, "lease_ms", o.lease_ms);
  put(w, "grace_ms", o.grace_ms);
  put(w, "come_back", o.come_back ? 1 : 0);
  put(w, "seed", static_cast<int64_t>(o.seed));
  w.EndObject();
  put(w, "error", r.error);
  if (o.takeover)
    put_takeover(w, r.takeover);
  else
    put_load(w, r.load);
  w.EndObject();
  return buf.GetString();
}

std::string cluster_summary(const cluster_result& r) {
  const auto& o = r.options;
  std::ostringstream out;
  char line[768];
  out << (o.takeover ? "takeover" : "load") << ": " << o.nodes << " node(s) on " << o.database
      << ", " << o.calls << " calls, " << r.date_utc << "\n";
  if (!r.error.empty())
    out << "ERROR: " << r.error << "\n";
  if (o.takeover) {
    const auto& t = r.takeover;
    std::snprintf(line, sizeof line,
                  "lease_ms %d grace_ms %d: heartbeat age at kill %lld ms; lease expired +%lld ms; "
                  "all %d claimed +%lld ms (first %lld); all finalized +%lld ms (first %lld); "
                  "all resumed +%lld ms (first %lld)\n"
                  "end reasons: %s\n",
                  o.lease_ms, o.grace_ms, static_cast<long long>(t.heartbeat_age_at_kill_ms),
                  static_cast<long long>(t.expiry_ms), t.calls,
                  static_cast<long long>(t.claimed_ms), static_cast<long long>(t.first_claim_ms),
                  static_cast<long long>(t.finalized_ms), static_cast<long long>(t.first_final_ms),
                  static_cast<long long>(t.resumed_ms), static_cast<long long>(t.first_resumed_ms),
                  t.end_reasons.c_str());
    out << line;
    return out.str();
  }
  const auto& l = r.load;
  std::snprintf(
      line, sizeof line,
      "window %.1f s, %.1f live calls; load avg %.2f -> %.2f; other load %.2f cores\n"
      "server CPU %.1f ms/call-minute (all nodes), DB CPU %.1f ms/call-minute, RSS %lld KiB\n"
      "webhook probe: n %lld p50 %.2f p99 %.2f max %.2f ms, %d errors\n"
      "finalize (card - end): n %lld mean %.1f p50 %.0f p99 %.0f max %.0f ms, %d without card\n"
      "finalize (metric, write included): n %.0f mean %.1f ms, %.1f %% <= 100 ms\n"
      "calls: %d started, %d ended, %d failed\n",
      l.window_s, l.live_calls_mean, l.loadavg_1m_start, l.loadavg_1m_end, l.other_load_cores,
      l.server_cpu_ms_per_call_minute, l.db_cpu_ms_per_call_minute,
      static_cast<long long>(l.server_rss_kib), static_cast<long long>(l.webhook.count),
      l.webhook.p50, l.webhook.p99, l.webhook.max, l.webhook_errors,
      static_cast<long long>(l.finalize.count), l.finalize.mean, l.finalize.p50, l.finalize.p99,
      l.finalize.max, l.calls_without_card, l.finalize_metric_count, l.finalize_metric_mean_ms,
      100.0 * l.finalize_metric_le_100ms, l.calls_started, l.calls_ended, l.calls_failed);
  out << line;
  if (o.database == "postgres") {
    std::snprintf(line, sizeof line,
                  "PostgreSQL over %.0f s, %d calls ended, %d probe look-ups: commits %lld, "
                  "inserted %lld, updated %lld, deleted %lld, fetched %lld\n"
                  "  idle (no calls): %.1f commits/s, %.1f inserts/s, %.1f updates/s; calls "
                  "per node: %s\n",
                  l.db_span_s, l.calls_ended, l.probe_requests,
                  static_cast<long long>(l.xact_commit), static_cast<long long>(l.tup_inserted),
                  static_cast<long long>(l.tup_updated), static_cast<long long>(l.tup_deleted),
                  static_cast<long long>(l.tup_fetched), l.idle_commit_per_s, l.idle_inserted_per_s,
                  l.idle_updated_per_s, l.calls_per_node.c_str());
    out << line;
  }
  for (const auto& f : l.failures)
    out << "  failed: " << f << "\n";
  return out.str();
}

} // namespace sb::bench
