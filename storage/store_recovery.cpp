// store: what is written ahead while a call runs (its booking draft, its
// status) and the calls a crashed server left open (issue 14).
#include "storage/store.hpp"

#include "common/time.hpp"
#include "storage/store_impl.hpp"

namespace sb::storage {

using detail::query;

namespace detail {

status drop_booking_draft(database& db, const std::string& call_sid) {
  auto q = db.prepare("DELETE FROM booking_drafts WHERE call_sid = ?1",
                      "drop booking draft of " + call_sid);
  if (!q)
    return q.err();
  q->bind_text(1, call_sid);
  return q->run();
}

} // namespace detail

status store::save_booking_draft(const std::string& call_sid, const booking& b) {
  // A tool call that lands while the call is being finalized must not leave
  // a draft behind its job card.
  auto q = impl_->db->prepare(
      "INSERT INTO booking_drafts (call_sid, customer_name, callback_phone, service, address, "
      "preferred_date, preferred_time, urgency, notes, updated_at)"
      " SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10 WHERE NOT EXISTS"
      " (SELECT 1 FROM calls WHERE call_sid = ?1 AND end_reason <> '')"
      " ON CONFLICT (call_sid) DO UPDATE SET customer_name = excluded.customer_name,"
      " callback_phone = excluded.callback_phone, service = excluded.service,"
      " address = excluded.address, preferred_date = excluded.preferred_date,"
      " preferred_time = excluded.preferred_time, urgency = excluded.urgency,"
      " notes = excluded.notes, updated_at = excluded.updated_at",
      "save booking draft of " + call_sid);
  if (!q)
    return q.err();
  q->bind_text(1, call_sid).bind_text(2, b.customer_name).bind_text(3, b.callback_phone);
  q->bind_text(4, b.service).bind_text(5, b.address).bind_text(6, b.preferred_date);
  q->bind_text(7, b.preferred_time).bind_text(8, b.urgency).bind_text(9, b.notes);
  q->bind_int(10, now_ms());
  return q->run();
}

result<booking> store::booking_draft(const std::string& call_sid) {
  auto q = impl_->db->prepare(
      "SELECT customer_name, callback_phone, service, address, preferred_date, preferred_time, "
      "urgency, notes FROM booking_drafts WHERE call_sid = ?1",
      "booking draft of " + call_sid);
  if (!q)
    return q.err();
  q->bind_text(1, call_sid);
  auto row = q->step();
  if (!row)
    return row.err();
  booking b;
  if (!*row)
    return b;
  b.customer_name = q->text_at(0);
  b.callback_phone = q->text_at(1);
  b.service = q->text_at(2);
  b.address = q->text_at(3);
  b.preferred_date = q->text_at(4);
  b.preferred_time = q->text_at(5);
  b.urgency = q->text_at(6);
  b.notes = q->text_at(7);
  return b;
}

result<bool> store::set_call_status(const std::string& call_sid, call_status s,
                                    int64_t answered_at_ms, int resumes) {
  auto q = impl_->db->prepare("UPDATE calls SET status = ?2,"
                              " answered_at = CASE WHEN ?3 <> 0 THEN ?3 ELSE answered_at END,"
                              " resumes = CASE WHEN resumes > ?4 THEN resumes ELSE ?4 END"
                              " WHERE call_sid = ?1 AND end_reason = ''",
                              "set status of " + call_sid);
  if (!q)
    return q.err();
  q->bind_text(1, call_sid).bind_text(2, std::string{to_string(s)}).bind_int(3, answered_at_ms);
  q->bind_int(4, resumes);
  if (auto r = q->run(); !r)
    return r.err();
  return impl_->db->changes() > 0;
}

result<std::vector<call_record>> store::open_calls(const std::string& node_id) {
  auto q = impl_->db->prepare(
      detail::select_calls("WHERE end_reason = '' AND node_id IN (?1, '') ORDER BY started_at"),
      "open calls of node " + node_id);
  if (!q)
    return q.err();
  q->bind_text(1, node_id);
  return detail::collect<call_record>(*q, detail::read_call_row);
}

} // namespace sb::storage
