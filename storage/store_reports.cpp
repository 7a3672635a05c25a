// store: the per-day or per-week report of one tenant's calls (issue 17.5).
// One pass over the calls (with their job card) and one over their
// assistant turns' latencies; the buckets are summed here, not in SQL, so
// the percentiles come from the same rows as the counts.
#include "storage/report.hpp"
#include "storage/store.hpp"
#include "storage/store_impl.hpp"

#include <algorithm>
#include <cmath>
#include <map>

namespace sb::storage {

using detail::query;

int nearest_rank_percentile(std::vector<int>& values, double p) {
  if (values.empty())
    return -1;
  std::sort(values.begin(), values.end());
  auto rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(values.size())));
  return values[std::clamp<size_t>(rank, 1, values.size()) - 1];
}

namespace {

/// The bucket of a call's start, YYYY-MM-DD: the UTC day, or the Monday
/// that starts its week. SQLite: 'weekday 0' moves to the coming Sunday (or
/// stays on one); PostgreSQL: date_trunc('week') is the ISO week's Monday.
std::string bucket_sql(const detail::database& db, report_period p) {
  if (p == report_period::day)
    return std::string(db.pick("date(c.started_at / 1000, 'unixepoch')",
                               "to_char(to_timestamp(c.started_at / 1000) AT TIME ZONE 'UTC',"
                               " 'YYYY-MM-DD')"));
  return std::string(db.pick("date(c.started_at / 1000, 'unixepoch', 'weekday 0', '-6 days')",
                             "to_char(date_trunc('week', to_timestamp(c.started_at / 1000)"
                             " AT TIME ZONE 'UTC'), 'YYYY-MM-DD')"));
}

status add_calls(detail::database& db, const std::string& tenant, report_period p,
                 std::map<std::string, report_row>& rows) {
  auto q = db.prepare(
      "SELECT " + bucket_sql(db, p) +
          ", c.answered_at > 0, c.transfer_reason <> '', c.end_reason <> '', " +
          detail::booked_sql + ", " + detail::voicemail_sql +
          ", c.tokens_input_text + c.tokens_input_audio +"
          " c.tokens_output_text + c.tokens_output_audio, c.cost_usd"
          " FROM calls c LEFT JOIN jobs j ON j.call_sid = c.call_sid WHERE c.tenant_number = ?1",
      "report calls of " + tenant);
  if (!q)
    return q.err();
  q->bind_text(1, tenant);
  for (;;) {
    auto row = q->step();
    if (!row)
      return row.err();
    if (!*row)
      return ok_t{};
    auto& r = rows[q->text_at(0)];
    bool answered = q->int_at(1) != 0, voicemail = q->int_at(5) != 0;
    ++r.calls;
    r.answered += answered;
    r.transferred += q->int_at(2) != 0;
    r.abandoned += q->int_at(3) != 0 && !answered && !voicemail;
    r.booked += q->int_at(4) != 0;
    r.voicemails += voicemail;
    r.tokens += q->int_at(6);
    r.cost_usd += q->double_at(7);
  }
}

status add_latencies(detail::database& db, const std::string& tenant, report_period p,
                     std::map<std::string, report_row>& rows) {
  auto q = db.prepare("SELECT " + bucket_sql(db, p) +
                          ", t.latency_ms FROM transcript_turns t JOIN calls c"
                          " ON c.call_sid = t.call_sid WHERE c.tenant_number = ?1"
                          " AND t.role = 'assistant' AND t.latency_ms >= 0",
                      "report latencies of " + tenant);
  if (!q)
    return q.err();
  q->bind_text(1, tenant);
  std::map<std::string, std::vector<int>> latencies;
  for (;;) {
    auto row = q->step();
    if (!row)
      return row.err();
    if (!*row)
      break;
    latencies[q->text_at(0)].push_back(static_cast<int>(q->int_at(1)));
  }
  for (auto& [period, ms] : latencies) {
    auto& r = rows[period];
    r.latency_turns = static_cast<int>(ms.size());
    r.latency_median_ms = nearest_rank_percentile(ms, 50);
    r.latency_p95_ms = nearest_rank_percentile(ms, 95);
  }
  return ok_t{};
}

} // namespace

result<std::vector<report_row>> store::report(const std::string& tenant_number, report_period p) {
  std::map<std::string, report_row> rows;
  if (auto s = add_calls(*impl_->db, tenant_number, p, rows); !s)
    return s.err();
  if (auto s = add_latencies(*impl_->db, tenant_number, p, rows); !s)
    return s.err();
  std::vector<report_row> out;
  for (auto& [period, r] : rows) {
    r.period = period;
    out.push_back(r);
  }
  return out; // oldest first: the map orders by YYYY-MM-DD
}

} // namespace sb::storage
