// store: recordings on our side (issue 17.3, recording/) and deleting a call
// with everything written about it (the right to be forgotten). The files
// themselves are the caller's business (app/recording_commands.cpp,
// recording/retention.cpp): a transaction cannot cover a file system.
#include "storage/store.hpp"
#include "storage/store_impl.hpp"

namespace sb::storage {

using detail::collect;
using detail::query;

result<bool> store::set_tenant_record(const std::string& number, bool record) {
  auto q = impl_->db->prepare("UPDATE tenants SET record = ?2 WHERE number = ?1",
                              "set recording of tenant " + number);
  if (!q)
    return q.err();
  q->bind_text(1, number).bind_int(2, record ? 1 : 0);
  if (auto s = q->run(); !s)
    return s.err();
  return impl_->db->changes() > 0;
}

result<bool> store::set_recording_file(const std::string& call_sid, const std::string& path) {
  auto q = impl_->db->prepare("UPDATE calls SET recording_file = ?2 WHERE call_sid = ?1",
                              "set recording file of call " + call_sid);
  if (!q)
    return q.err();
  q->bind_text(1, call_sid).bind_text(2, path);
  if (auto s = q->run(); !s)
    return s.err();
  return impl_->db->changes() > 0;
}

result<std::optional<std::string>> store::recording_file(const std::string& call_sid) {
  auto q = impl_->db->prepare("SELECT recording_file FROM calls WHERE call_sid = ?1",
                              "recording file of call " + call_sid);
  if (q)
    q->bind_text(1, call_sid);
  return detail::first_row<std::string>(q, [](const query& r) { return r.text_at(0); });
}

result<std::vector<store::expired_recording>> store::recordings_before(int64_t before_ms) {
  auto q = impl_->db->prepare("SELECT call_sid, recording_file FROM calls WHERE recording_file <>"
                              " '' AND started_at < ?1 ORDER BY started_at",
                              "expired recordings");
  if (!q)
    return q.err();
  q->bind_int(1, before_ms);
  return collect<expired_recording>(*q, [](const query& r) {
    return expired_recording{r.text_at(0), r.text_at(1)};
  });
}

status store::clear_recording_file(const std::string& call_sid) {
  auto s = set_recording_file(call_sid, "");
  if (!s)
    return s.err();
  return ok_t{};
}

result<std::optional<std::string>> store::delete_call(const std::string& call_sid) {
  auto& db = *impl_->db;
  detail::transaction tx{db};
  if (auto s = tx.begin(); !s)
    return s.err();
  auto file = recording_file(call_sid);
  if (!file)
    return file.err();
  if (!*file)
    return std::optional<std::string>{}; // rolled back: nothing was written
  // Children first; jobs and the outbox would also go by ON DELETE CASCADE
  // (v1, v2), the transcript and the draft have no foreign key.
  for (auto sql :
       {"DELETE FROM notification_outbox WHERE job_id IN"
        " (SELECT id FROM jobs WHERE call_sid = ?1)",
        "DELETE FROM jobs WHERE call_sid = ?1", "DELETE FROM transcript_turns WHERE call_sid = ?1",
        "DELETE FROM booking_drafts WHERE call_sid = ?1",
        "DELETE FROM calls WHERE call_sid = ?1"}) {
    auto q = db.prepare(sql, "delete call " + call_sid);
    if (!q)
      return q.err();
    q->bind_text(1, call_sid);
    if (auto s = q->run(); !s)
      return s.err();
  }
  if (auto s = tx.commit(); !s)
    return s.err();
  return file;
}

} // namespace sb::storage
