// store: several nodes on one database (issue 16.2). Each node keeps a
// lease in `nodes` by its heartbeat; a node whose lease expired is presumed
// dead and a survivor claims its open calls (claim_calls).
//
// Every time here is the database's clock, not this process's: nodes on
// different machines compare their leases against one clock.
#include "storage/store.hpp"

#include "storage/store_impl.hpp"

namespace sb::storage {

using detail::db_now;
using detail::query;

/// The database's clock in ms since the epoch. SQLite: julianday('now') is
/// the statement's time in days since noon, 4714 BC (2440587.5 is the Unix
/// epoch); PostgreSQL: clock_timestamp() is the wall clock as the statement
/// runs (now() would be the transaction's start).
std::string detail::db_now(const detail::database& db) {
  return std::string{db.pick("CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)",
                             "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)")};
}

namespace {

std::string select_nodes(const detail::database& db, std::string_view rest) {
  return "SELECT n.node_id, n.public_url, n.started_at, n.heartbeat_at, n.lease_ms, " + db_now(db) +
         ", (SELECT COUNT(*) FROM calls c WHERE c.node_id = n.node_id AND c.end_reason = '')"
         " FROM nodes n " +
         std::string{rest};
}

node_info read_node(const query& q) {
  node_info n;
  n.node_id = q.text_at(0);
  n.public_url = q.text_at(1);
  n.started_at_ms = q.int_at(2);
  n.heartbeat_at_ms = q.int_at(3);
  n.lease_ms = q.int_at(4);
  n.db_now_ms = q.int_at(5);
  n.open_calls = static_cast<int>(q.int_at(6));
  return n;
}

} // namespace

status store::heartbeat(const std::string& node_id, const std::string& public_url, int64_t lease_ms,
                        bool starting) {
  auto& db = *impl_->db;
  const auto now = db_now(db);
  auto q = db.prepare("INSERT INTO nodes (node_id, public_url, started_at, heartbeat_at, lease_ms)"
                      " VALUES (?1, ?2, " +
                          now + ", " + now +
                          ", ?3) ON CONFLICT (node_id) DO UPDATE SET"
                          " public_url = excluded.public_url, heartbeat_at = excluded.heartbeat_at,"
                          " lease_ms = excluded.lease_ms, started_at = CASE WHEN ?4 = 1"
                          " THEN excluded.started_at ELSE nodes.started_at END",
                      "heartbeat of node " + node_id);
  if (!q)
    return q.err();
  q->bind_text(1, node_id).bind_text(2, public_url).bind_int(3, lease_ms);
  q->bind_int(4, starting ? 1 : 0);
  return q->run();
}

result<std::vector<node_info>> store::list_nodes() {
  auto q = impl_->db->prepare(select_nodes(*impl_->db, "ORDER BY n.node_id"), "list nodes");
  if (!q)
    return q.err();
  return detail::collect<node_info>(*q, read_node);
}

result<std::vector<call_record>> store::open_calls_everywhere(int limit) {
  auto q = impl_->db->prepare(
      detail::select_calls("WHERE end_reason = '' ORDER BY node_id, started_at LIMIT ?1"),
      "open calls of every node");
  if (!q)
    return q.err();
  q->bind_int(1, limit);
  return detail::collect<call_record>(*q, detail::read_call_row);
}

result<std::vector<call_record>> store::claim_calls(const std::string& dead, const std::string& me,
                                                    const std::string& call_sid) {
  auto& db = *impl_->db;
  const std::string what = "claim calls of node " + dead + " for " + me;
  detail::transaction tx(db);
  if (auto s = tx.begin(); !s)
    return s.err();
  // The dead node's row is locked first (PostgreSQL: FOR UPDATE; SQLite:
  // BEGIN IMMEDIATE took the database's write lock). A second survivor, or
  // `dead` starting again (its heartbeat upserts this row), waits here; at
  // READ COMMITTED a row locked FOR UPDATE is re-read after the wait and the
  // WHERE re-checked on its newest version (PostgreSQL manual 13.2.1), so a
  // fresh heartbeat committed meanwhile stops the claim, and the UPDATE
  // below, a new statement, no longer sees calls another survivor claimed.
  auto lock = db.prepare("SELECT 1 FROM nodes WHERE node_id = ?1 AND heartbeat_at + lease_ms < " +
                             db_now(db) + std::string{db.pick("", " FOR UPDATE")},
                         what + " (its lease)");
  if (!lock)
    return lock.err();
  lock->bind_text(1, dead);
  auto expired = lock->step();
  if (!expired)
    return expired.err();
  std::vector<call_record> claimed;
  if (!*expired)
    return claimed; // alive again, or never known: nothing is claimed
  std::vector<std::string> sids;
  {
    auto q = db.prepare("UPDATE calls SET node_id = ?2 WHERE node_id = ?1 AND end_reason = ''"
                        " AND (?3 = '' OR call_sid = ?3) RETURNING call_sid",
                        what);
    if (!q)
      return q.err();
    q->bind_text(1, dead).bind_text(2, me).bind_text(3, call_sid);
    auto rows = detail::collect<std::string>(*q, [](const query& r) { return r.text_at(0); });
    if (!rows)
      return rows.err();
    sids = std::move(*rows);
  }
  for (const auto& sid : sids) {
    auto c = get_call(sid);
    if (!c)
      return c.err();
    if (*c)
      claimed.push_back(std::move(**c));
  }
  if (auto s = tx.commit(); !s)
    return s.err();
  return claimed;
}

result<std::optional<node_info>> store::call_owner(const std::string& call_sid) {
  auto q =
      impl_->db->prepare(select_nodes(*impl_->db, "JOIN calls k ON k.node_id = n.node_id"
                                                  " WHERE k.call_sid = ?1 AND k.end_reason = ''"),
                         "owner of call " + call_sid);
  if (q)
    q->bind_text(1, call_sid);
  return detail::first_row<node_info>(q, [](const query& r) { return read_node(r); });
}

} // namespace sb::storage
