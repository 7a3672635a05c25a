// The storage actor's reads made of several queries: a call as stored, the
// calls a node left open (or claimed from a dead node) with their
// businesses, a finalized call's job card, the outbox entries due.
#include "actors/storage_state.hpp"

namespace sb::actors::detail {

/// The job card of a call finalized already (its stored end reason is set),
/// for finalize_call's `once`. This actor is the only writer, one message at
/// a time: nothing can finalize the call between this read and the write.
std::optional<int64_t> finalized_job(storage_state& st, const std::string& call_sid) {
  auto call = st.db->get_call(call_sid);
  if (!call || !*call || (*call)->end_reason == end_reason::none)
    return std::nullopt;
  auto job = st.db->job_for_call(call_sid);
  if (!job || !*job)
    return std::nullopt;
  log::info("Storage", "Call " + call_sid + " was finalized already; its job card " +
                           std::to_string((*job)->id) + " stands");
  return (*job)->id;
}

namespace {

/// Open calls, each with its business (looked up by the number the call
/// was made to); a business removed since has no push URL.
result<std::vector<lost_call>> with_tenants(storage::store& db,
                                            std::vector<storage::call_record> open) {
  std::vector<lost_call> out;
  for (auto& c : open) {
    auto t = db.find_tenant(c.tenant_number.empty() ? c.to : c.tenant_number);
    if (!t)
      return t.err();
    out.push_back({std::move(c), *t ? std::move(**t) : storage::tenant{}});
  }
  return out;
}

} // namespace

/// The calls `node_id` left open.
result<std::vector<lost_call>> lost_calls(storage::store& db, const std::string& node_id) {
  auto open = db.open_calls(node_id);
  if (!open)
    return open.err();
  return with_tenants(db, std::move(*open));
}

/// Takeover (issue 16.2): the calls claimed from a dead node, as lost_calls.
result<std::vector<lost_call>> claimed_calls(storage::store& db, const claim_calls& q) {
  auto claimed = db.claim_calls(q.dead, q.me, q.call_sid);
  if (!claimed)
    return claimed.err();
  return with_tenants(db, std::move(*claimed));
}

/// load_call's answer: the row, its turns and its booking draft.
result<stored_call> stored(storage::store& db, const std::string& call_sid) {
  auto call = db.get_call(call_sid);
  if (!call)
    return call.err();
  if (!*call)
    return stored_call{};
  auto turns = db.turns_for(call_sid);
  if (!turns)
    return turns.err();
  auto draft = db.booking_draft(call_sid);
  if (!draft)
    return draft.err();
  return stored_call{true, std::move(**call), std::move(*turns), std::move(*draft)};
}

/// The due entries, less those whose outcome waits in the queue.
std::vector<storage::outbox_entry> not_waiting(const storage_state& st,
                                               std::vector<storage::outbox_entry> due) {
  std::erase_if(due, [&](const auto& e) { return st.outcome_waiting.count(e.id) != 0; });
  return due;
}

} // namespace sb::actors::detail
