// store: the per-tenant concurrency limit held across nodes (issue 16.2).
// Every node admits a limited tenant's call through the database: the
// count of the tenant's open calls and the call's row are one transaction,
// serialized per tenant, so two nodes taking the last slot at once cannot
// both get it.
#include "storage/store.hpp"

#include "storage/store_impl.hpp"

#include <algorithm>

namespace sb::storage {

namespace {

/// The first key of the two-key advisory lock: "SBLM" (Switchboard limit).
/// The two-int form is a key space of its own, apart from the bigint key
/// the migrations lock (PostgreSQL manual 9.27.10, "Advisory Lock
/// Functions"); the second key is the tenant's number hashed, so tenants
/// whose hashes collide only wait for each other.
constexpr const char* limit_lock_space = "1396853837";

} // namespace

result<store::admission> store::admit_call(const call_record& c, int limit, int64_t lock_wait_ms) {
  auto& db = *impl_->db;
  const std::string what = "admit call " + c.call_sid + " of " + c.tenant_number;
  detail::transaction tx(db);
  if (auto s = tx.begin(); !s)
    return s.err();
  if (db.kind() == detail::dialect::postgres) {
    // SET LOCAL ends with the transaction; an integer lock_timeout is in ms.
    if (auto s = db.exec("SET LOCAL lock_timeout = " +
                             std::to_string(std::max<int64_t>(lock_wait_ms, 1)),
                         what + " (lock timeout)");
        !s)
      return s.err();
    auto lock = db.prepare(std::string{"SELECT pg_advisory_xact_lock("} + limit_lock_space +
                               ", hashtext(?1))",
                           what + " (the tenant's lock)");
    if (!lock)
      return lock.err();
    lock->bind_text(1, c.tenant_number);
    if (auto r = lock->step(); !r)
      return r.err();
  }
  {
    // A retried webhook: the call is open (admitted before), or it ended
    // already (turned away and stored for its voicemail: turned away again).
    // Either way the transaction rolls back: nothing is written.
    auto seen =
        db.prepare("SELECT end_reason FROM calls WHERE call_sid = ?1", what + " (retried?)");
    if (!seen)
      return seen.err();
    seen->bind_text(1, c.call_sid);
    auto row = seen->step();
    if (!row)
      return row.err();
    if (*row)
      return seen->text_at(0).empty() ? admission::already_admitted : admission::busy;
  }
  // Open calls of this tenant held by a live node. A dead node's calls stop
  // counting when its lease expires; a survivor that claims them
  // (claim_calls) makes them count again under its own id. Calls of a node
  // with no row (none on PostgreSQL, whose every node heartbeats before it
  // serves) do not count.
  auto count = db.prepare("SELECT COUNT(*) FROM calls c LEFT JOIN nodes n ON n.node_id = c.node_id"
                          " WHERE c.tenant_number = ?1 AND c.end_reason = '' AND (c.node_id = ?2"
                          " OR n.heartbeat_at + n.lease_ms >= " +
                              detail::db_now(db) + ")",
                          what + " (open calls)");
  if (!count)
    return count.err();
  count->bind_text(1, c.tenant_number).bind_text(2, c.node_id);
  auto row = count->step();
  if (!row)
    return row.err();
  if (*row && count->int_at(0) >= limit)
    return admission::busy;
  if (auto s = begin_call(c); !s)
    return s.err();
  if (auto s = tx.commit(); !s)
    return s.err();
  return admission::admitted;
}

} // namespace sb::storage
