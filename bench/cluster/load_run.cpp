// The load run (cluster_bench.hpp): N calls kept up on one or two nodes,
// measured over a window in steady state.
#include "bench/cluster/cluster_calls.hpp"
#include "bench/cluster/cluster_nodes.hpp"
#include "bench/cluster/cluster_probes.hpp"
#include "bench/cluster/cluster_runs.hpp"
#include "bench/proc_stats.hpp"
#include "common/time.hpp"
#include "storage/store.hpp"

#include <algorithm>
#include <deque>
#include <filesystem>
#include <fstream>
#include <thread>
#include <unordered_map>

namespace sb::bench {

namespace {

using namespace std::chrono_literals;

/// The last `n` lines of `path` (all of it if shorter; "" if unreadable).
std::string last_lines(const std::filesystem::path& path, std::size_t n) {
  std::ifstream in{path};
  std::deque<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    lines.push_back(std::move(line));
    if (lines.size() > n)
      lines.pop_front();
  }
  std::string out;
  for (const auto& l : lines)
    out += "  | " + l + "\n";
  return out;
}

/// Which nodes are gone, how each ended and the end of its log: the work
/// dir (and so the log) is removed when the run ends, unless --keep, so an
/// unattended run (ctest's bench_cluster_smoke) must say it here.
std::string gone_nodes(const cluster_nodes& c) {
  std::string out;
  for (std::size_t k = 0; k < c.servers.size(); ++k) {
    if (c.servers[k].running())
      continue;
    const auto id = cluster_nodes::node_id(k);
    const auto how = c.servers[k].how_it_ended();
    out += "\n" + id + ": " + (how.empty() ? "not running" : how) + "; the end of its log:\n" +
           last_lines(c.dir / ("server-" + id + ".log"), 30);
  }
  return out;
}

struct sample {
  double nodes_cpu_s = 0, db_cpu_s = 0, self_cpu_s = 0;
  int64_t rss_kib = 0;
  system_sample system;
  std::chrono::steady_clock::time_point at;
  int64_t wall_ms = 0;
  job_card_metric cards; ///< every node's, summed
};

sample take_sample(const cluster_nodes& c, pid_t pg) {
  sample s;
  for (pid_t p : c.pids()) {
    const auto ps = sample_process(p).value_or(proc_sample{});
    s.nodes_cpu_s += ps.cpu_s;
    s.rss_kib += ps.rss_kib;
  }
  s.db_cpu_s = process_tree_cpu_s(pg);
  for (uint16_t port : c.metrics_ports) {
    const auto m = scrape_job_card_metric(port);
    s.cards.ok = m.ok;
    s.cards.sum_s += m.sum_s;
    s.cards.count += m.count;
    s.cards.le_100ms += m.le_100ms;
  }
  s.self_cpu_s = sample_process(0).value_or(proc_sample{}).cpu_s;
  s.system = sample_system().value_or(system_sample{});
  s.at = std::chrono::steady_clock::now();
  s.wall_ms = now_ms();
  return s;
}

/// pg_stat_database's counters for the server's database, in the order of
/// load_result's fields; empty on SQLite.
std::vector<int64_t> pg_counters(const cluster_nodes& c) {
  std::vector<int64_t> v;
  if (!c.pg)
    return v;
  try {
    for (const auto& x :
         pg_query_row(c.db, "SELECT xact_commit, tup_inserted, tup_updated, tup_deleted, "
                            "tup_fetched FROM pg_stat_database WHERE datname = current_database()"))
      v.push_back(std::stoll(x));
  } catch (const std::exception&) {
    v.clear();
  }
  return v;
}

/// Each call that ended in [from_ms, to_ms): job card created - call ended.
void read_finalize_latency(const cluster_nodes& c, int64_t from_ms, int64_t to_ms, load_result& r) {
  auto db = storage::store::open(c.db);
  if (!db)
    return;
  auto calls = (*db)->list_calls(1'000'000);
  auto jobs = (*db)->list_jobs(1'000'000);
  if (!calls || !jobs)
    return;
  std::unordered_map<std::string, int64_t> card_at;
  for (const auto& j : *jobs)
    card_at[j.call_sid] = j.created_at_ms;
  std::vector<double> ms;
  for (const auto& call : *calls) {
    if (call.ended_at_ms < from_ms || call.ended_at_ms >= to_ms)
      continue;
    auto it = card_at.find(call.call_sid);
    if (it == card_at.end())
      ++r.calls_without_card;
    else
      ms.push_back(static_cast<double>(it->second - call.ended_at_ms));
  }
  r.finalize = summarize(std::move(ms));
}

} // namespace

status run_load_phase(const cluster_options& o, cluster_nodes& c,
                      const std::shared_ptr<call_pool>& calls, load_result& r) {
  const pid_t pg = c.pg ? pg_server_pid() : -1;
  if (c.pg) { // the idle baseline
    const auto i0 = pg_counters(c);
    const auto t0 = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(10s);
    const auto i1 = pg_counters(c);
    r.idle_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (i0.size() == 5 && i1.size() == 5) {
      r.idle_commit_per_s = static_cast<double>(i1[0] - i0[0]) / r.idle_s;
      r.idle_inserted_per_s = static_cast<double>(i1[1] - i0[1]) / r.idle_s;
      r.idle_updated_per_s = static_cast<double>(i1[2] - i0[2]) / r.idle_s;
    }
  }
  webhook_probe probe(c.front, cluster_public_url, c.token, o.webhook_rate);
  const auto db_before = pg_counters(c);
  const auto t_first = std::chrono::steady_clock::now();
  fill_pool(calls, o.calls, o.start_rate);
  std::this_thread::sleep_for(std::chrono::seconds(o.call_max_s)); // every slot turned over once

  r.loadavg_1m_start = loadavg_1m();
  probe.record(true);
  const sample a = take_sample(c, pg);
  double live_sum = 0;
  int live_n = 0;
  for (int i = 0; i < o.window_s; ++i) {
    std::this_thread::sleep_for(1s);
    live_sum += calls->live;
    ++live_n;
  }
  const sample b = take_sample(c, pg);
  probe.record(false);
  r.loadavg_1m_end = loadavg_1m();

  r.window_s = std::chrono::duration<double>(b.at - a.at).count();
  r.live_calls_mean = live_sum / std::max(1, live_n);
  const double call_minutes = r.live_calls_mean * r.window_s / 60.0;
  r.server_cpu_s = b.nodes_cpu_s - a.nodes_cpu_s;
  r.server_cpu_ms_per_call_minute = r.server_cpu_s * 1000.0 / std::max(1e-9, call_minutes);
  r.db_cpu_s = b.db_cpu_s - a.db_cpu_s;
  r.db_cpu_ms_per_call_minute = r.db_cpu_s * 1000.0 / std::max(1e-9, call_minutes);
  const double self_cpu = b.self_cpu_s - a.self_cpu_s;
  r.other_load_cores =
      ((b.system.busy_s - a.system.busy_s) - self_cpu - r.server_cpu_s - r.db_cpu_s) / r.window_s;
  r.server_rss_kib = b.rss_kib;
  r.webhook = summarize(probe.latencies_ms());
  r.finalize_metric_count = b.cards.count - a.cards.count;
  if (r.finalize_metric_count > 0) {
    r.finalize_metric_mean_ms = (b.cards.sum_s - a.cards.sum_s) * 1000.0 / r.finalize_metric_count;
    r.finalize_metric_le_100ms = (b.cards.le_100ms - a.cards.le_100ms) / r.finalize_metric_count;
  }
  r.webhook_errors = probe.errors();

  drain_pool(calls, 60);
  std::this_thread::sleep_for(3s); // the last calls' finalizes
  const bool all_up = c.pids().size() == c.servers.size() &&
                      std::all_of(c.servers.begin(), c.servers.end(),
                                  [](const server_process& s) { return s.running(); });
  const std::string dead = all_up ? "" : gone_nodes(c); // before stop_cluster forgets them
  r.probe_requests = probe.sent();
  stop_cluster(c); // PostgreSQL backends flush their statistics as they exit
  std::this_thread::sleep_for(500ms);
  const auto db_after = pg_counters(c);
  r.db_span_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_first).count();
  if (db_before.size() == 5 && db_after.size() == 5) {
    r.xact_commit = db_after[0] - db_before[0];
    r.tup_inserted = db_after[1] - db_before[1];
    r.tup_updated = db_after[2] - db_before[2];
    r.tup_deleted = db_after[3] - db_before[3];
    r.tup_fetched = db_after[4] - db_before[4];
  }
  r.calls_started = calls->started;
  r.calls_ended = calls->ended;
  r.calls_failed = calls->failed + (calls->started - calls->ended);
  {
    std::lock_guard lock(calls->mu);
    r.failures = calls->failures;
  }
  read_finalize_latency(c, a.wall_ms, b.wall_ms, r);
  if (c.pg) {
    try {
      const auto row = pg_query_row(
          c.db, "SELECT string_agg(node_id || ':' || n, ' ') FROM (SELECT node_id, count(*) AS n "
                "FROM calls GROUP BY node_id ORDER BY node_id) t");
      r.calls_per_node = row.empty() ? "" : row[0];
    } catch (const std::exception& e) {
      r.calls_per_node = e.what();
    }
  }
  if (!all_up)
    return error{"node", "a node exited during the run" + dead};
  return ok_status();
}

} // namespace sb::bench
