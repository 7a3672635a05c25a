// The takeover run (cluster_bench.hpp): N calls on node A, SIGKILL to A,
// the database polled until a survivor has claimed and finalized them all.
#include "bench/cluster/cluster_calls.hpp"
#include "bench/cluster/cluster_nodes.hpp"
#include "bench/cluster/cluster_runs.hpp"
#include "common/time.hpp"

#include <csignal>
#include <thread>

namespace sb::bench {

namespace {

using namespace std::chrono_literals;

int64_t query_int(const std::string& url, const std::string& sql) {
  try {
    const auto row = pg_query_row(url, sql);
    return !row.empty() && !row[0].empty() ? std::stoll(row[0]) : -1;
  } catch (const std::exception&) {
    return -1;
  }
}

} // namespace

status run_takeover_phase(const cluster_options& o, cluster_nodes& c,
                          const std::shared_ptr<call_pool>& calls, takeover_result& r) {
  if (!c.pg || c.servers.size() < 2)
    return error{"takeover", "the takeover run needs two nodes on PostgreSQL"};
  const std::string victim = cluster_nodes::node_id(0);
  fill_pool(calls, o.calls, o.start_rate);
  // Every call answered (its stream attached): on A, or on either node (come_back).
  const std::string answered =
      "SELECT count(*) FROM calls WHERE answered_at > 0 AND end_reason = ''" +
      (o.come_back ? std::string{} : " AND node_id = '" + victim + "'");
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (query_int(c.db, answered) < o.calls) {
    if (std::chrono::steady_clock::now() > deadline)
      return error{"takeover", "the calls were not all answered on " + victim + " within 60 s"};
    std::this_thread::sleep_for(200ms);
  }
  std::this_thread::sleep_for(2s); // a few turns in
  // A's calls: every call, or (come_back) the half the balancer gave it.
  const std::string victims = "(SELECT call_sid FROM calls WHERE node_id = '" + victim + "')";
  r.calls = static_cast<int>(query_int(c.db, "SELECT count(*) FROM " + victims + " v"));

  const int64_t heartbeat_at =
      query_int(c.db, "SELECT heartbeat_at FROM nodes WHERE node_id = '" + victim + "'");
  const int64_t killed_at = now_ms();
  ::kill(c.servers[0].pid(), SIGKILL);
  r.heartbeat_age_at_kill_ms = killed_at - heartbeat_at;
  r.expiry_ms = heartbeat_at + o.lease_ms - killed_at;

  // Polled every 20 ms (a new connection each time, a few ms): claimed =
  // moved to another node; finalized = an end reason.
  std::string ids;
  try { // A's calls by CallSid, fixed at the kill
    const auto row = pg_query_row(c.db, "SELECT string_agg(quote_literal(call_sid), ',') FROM " +
                                            victims + " v");
    ids = row.empty() ? "''" : row[0];
  } catch (const std::exception& e) {
    return error{"takeover", e.what()};
  }
  const std::string progress = "SELECT count(*) FILTER (WHERE node_id <> '" + victim +
                               "'), count(*) FILTER (WHERE " +
                               (o.come_back ? "resumes > 0" : "end_reason <> ''") +
                               ") FROM calls WHERE call_sid IN (" + ids + ")";
  const auto bound = std::chrono::steady_clock::now() +
                     std::chrono::milliseconds(3 * o.lease_ms + o.grace_ms + 60'000);
  while (std::chrono::steady_clock::now() < bound) {
    std::vector<std::string> row;
    try {
      row = pg_query_row(c.db, progress);
    } catch (const std::exception&) {
      row.clear(); // counted as no progress; polled again
    }
    const int64_t claimed = row.size() == 2 ? std::stoll(row[0]) : -1;
    const int64_t finalized = row.size() == 2 ? std::stoll(row[1]) : -1;
    const int64_t t = now_ms() - killed_at;
    if (claimed > 0 && r.first_claim_ms < 0)
      r.first_claim_ms = t;
    if (finalized > 0 && (o.come_back ? r.first_resumed_ms : r.first_final_ms) < 0)
      (o.come_back ? r.first_resumed_ms : r.first_final_ms) = t;
    if (claimed >= r.calls && r.claimed_ms < 0)
      r.claimed_ms = t;
    if (finalized >= r.calls) {
      (o.come_back ? r.resumed_ms : r.finalized_ms) = t;
      break;
    }
    std::this_thread::sleep_for(20ms);
  }
  try {
    const auto row = pg_query_row(
        c.db, "SELECT string_agg(node_id || ' ' || quote_literal(end_reason) || ' resumes ' || "
              "resumes || ' x ' || n, ', ') FROM (SELECT node_id, end_reason, resumes, count(*) "
              "AS n FROM calls WHERE call_sid IN (" +
                  ids + ") GROUP BY 1, 2, 3 ORDER BY 1, 2, 3) t");
    r.end_reasons = row.empty() ? "" : row[0];
  } catch (const std::exception& e) {
    r.end_reasons = e.what();
  }
  drain_pool(calls, 10);
  stop_cluster(c);
  if ((o.come_back ? r.resumed_ms : r.finalized_ms) < 0)
    return error{"takeover", std::string{"not every call of the killed node was "} +
                                 (o.come_back ? "resumed" : "finalized") + " in time"};
  return ok_status();
}

} // namespace sb::bench
