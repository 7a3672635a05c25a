#pragma once
// switchboard-cluster-bench (issue 16 item 5): the same call load on one
// node with SQLite, one node with PostgreSQL and two nodes on one
// PostgreSQL behind HAProxy; and the takeover of a killed node's calls.
//
// Load run: `calls` live calls kept up, each lasting a uniform random
// call_min_s..call_max_s and replaced at once when it ends (as the soak
// run), so calls end and are finalized all through the window: steady
// state. Measured over the window: every node's CPU (summed) and the
// PostgreSQL processes' CPU per call-minute, a signed webhook probe's
// latency through the front (the balancer for two nodes), and, from the
// database after the run, each call's finalize latency (job card
// created_at - call ended_at) for the calls that ended in the window.
//
// Takeover run: `calls` calls on node A of two, SIGKILL to A, then the
// database polled every 20 ms until a survivor has claimed every call and
// finalized it (the callers do not come back: the survivor holds each call
// [resume] grace_ms for a <Redirect>, then ends it server_lost). With
// come_back the callers follow the <Redirect> through the balancer and the
// time is until every call of A's has been resumed on a survivor.

#include <cstdint>
#include <string>
#include <vector>

namespace sb::bench {

struct cluster_options {
  std::string switchboard_bin;
  std::string database = "sqlite"; ///< or "postgres"
  int nodes = 1;                   ///< 2: on PostgreSQL only, HAProxy in front
  int calls = 50;                  ///< live calls, kept up
  int call_min_s = 15, call_max_s = 25;
  int window_s = 45;       ///< measured, after the fill and one longest call
  int start_rate = 20;     ///< new calls per second while filling
  double webhook_rate = 5; ///< probe requests per second (0: none)
  int lease_ms = 3000;     ///< [cluster] lease_ms (PostgreSQL; the default)
  int grace_ms = 0;        ///< [resume] grace_ms (takeover)
  bool takeover = false;   ///< the takeover run instead of the load run
  /// Takeover: the callers follow the <Redirect> back through the balancer
  /// (as Twilio does) and are resumed on a survivor; calls go through the
  /// balancer, so the killed node holds about half of them.
  bool come_back = false;
  unsigned seed = 42; ///< call lengths are reproducible
  std::string log_level = "warn";
  bool keep = false; ///< keep the work dir
};

/// p50/p99/max and count of a sample of milliseconds.
struct ms_summary {
  int64_t count = 0;
  double mean = 0, p50 = 0, p99 = 0, max = 0;
};
ms_summary summarize(std::vector<double> v);

struct load_result {
  double window_s = 0;
  double live_calls_mean = 0;
  double server_cpu_s = 0; ///< every node, summed
  double server_cpu_ms_per_call_minute = 0;
  double db_cpu_s = 0; ///< postmaster and backends (postgres only)
  double db_cpu_ms_per_call_minute = 0;
  double other_load_cores = 0; ///< the rest of the machine meanwhile
  double loadavg_1m_start = 0, loadavg_1m_end = 0;
  int64_t server_rss_kib = 0; ///< summed at the window's end
  ms_summary webhook;         ///< the probe, through the front
  int webhook_errors = 0;
  ms_summary finalize; ///< job card created_at - call ended_at, calls ended in the window
  /// switchboard_job_card_latency_seconds over the window, every node: call
  /// end -> job card stored (the write included); exact mean, coarse buckets.
  double finalize_metric_count = 0, finalize_metric_mean_ms = 0, finalize_metric_le_100ms = 0;
  int calls_started = 0, calls_ended = 0, calls_failed = 0, calls_without_card = 0;
  std::vector<std::string> failures;
  // PostgreSQL counters (pg_stat_database) from the first call to the nodes
  // stopped, and the calls ended meanwhile.
  double db_span_s = 0;
  int probe_requests = 0; ///< webhook probe requests meanwhile (one read each)
  /// The same counters per second over idle_s with no call and no probe:
  /// the lease heartbeats and the notifier's polls.
  double idle_s = 0, idle_commit_per_s = 0, idle_inserted_per_s = 0, idle_updated_per_s = 0;
  std::string calls_per_node; ///< "node-1:40 node-2:41"
  int64_t xact_commit = 0, tup_inserted = 0, tup_updated = 0, tup_deleted = 0, tup_fetched = 0;
};

struct takeover_result {
  int calls = 0;
  int64_t heartbeat_age_at_kill_ms = -1; ///< since A last renewed its lease
  int64_t expiry_ms = -1;                ///< kill -> A's lease expired
  int64_t claimed_ms = -1;               ///< kill -> every call claimed by a survivor
  int64_t finalized_ms = -1;             ///< kill -> every call ended (server_lost)
  int64_t resumed_ms = -1;               ///< come_back: kill -> every call resumed
  int64_t first_claim_ms = -1, first_final_ms = -1, first_resumed_ms = -1;
  std::string end_reasons; ///< "server_lost x N" ...
};

struct cluster_result {
  cluster_options options;
  std::string date_utc, cpu_model, error;
  int cpus = 0;
  load_result load;
  takeover_result takeover;
};

cluster_result run_cluster_bench(const cluster_options& o);

std::string cluster_json(const cluster_result& r);
std::string cluster_summary(const cluster_result& r);

} // namespace sb::bench
