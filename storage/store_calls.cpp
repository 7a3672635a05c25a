// store: calls, transcript turns, and the end-of-call transaction.
#include "storage/store.hpp"

#include "common/time.hpp"
#include "storage/store_impl.hpp"

namespace sb::storage {

using detail::collect;
using detail::no_limit;
using detail::query;

namespace {

constexpr const char* call_columns =
    "call_sid, account_sid, tenant_number, from_number, to_number, started_at, answered_at, "
    "ended_at, status, end_reason, recording_url, recording_duration_s, tokens_input_text, "
    "tokens_input_audio, tokens_input_cached, tokens_output_text, tokens_output_audio, "
    "openai_reconnects, barge_ins, tokens_input_cached_text, tokens_input_cached_audio, cost_usd, "
    "transfer_reason, transfer_status, node_id, openai_recycles, variant, language, resumes";

constexpr const char* call_values =
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, "
    "?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29)";

// The final row wins, except where it knows less than the stored row: the
// webhook's identifiers and start time, and a recording whose status
// callback may have arrived before the call was finalized.
// Written in the SQL both dialects read: CASE (not iif), the stored row's
// columns qualified (PostgreSQL finds a bare name ambiguous with excluded).
constexpr const char* call_upsert =
    " ON CONFLICT (call_sid) DO UPDATE SET"
    " account_sid = CASE WHEN excluded.account_sid <> '' THEN excluded.account_sid ELSE "
    "calls.account_sid END,"
    " tenant_number = CASE WHEN excluded.tenant_number <> '' THEN excluded.tenant_number ELSE "
    "calls.tenant_number END,"
    " from_number = CASE WHEN excluded.from_number <> '' THEN excluded.from_number ELSE "
    "calls.from_number END,"
    " to_number = CASE WHEN excluded.to_number <> '' THEN excluded.to_number ELSE calls.to_number "
    "END,"
    " started_at = CASE WHEN excluded.started_at <> 0 THEN excluded.started_at"
    "   ELSE calls.started_at END,"
    " answered_at = CASE WHEN excluded.answered_at <> 0 THEN excluded.answered_at"
    "   ELSE calls.answered_at END,"
    " ended_at = excluded.ended_at, status = excluded.status,"
    " end_reason = excluded.end_reason,"
    " recording_url = CASE WHEN excluded.recording_url <> '' THEN excluded.recording_url ELSE "
    "calls.recording_url END,"
    " recording_duration_s = CASE WHEN excluded.recording_url <> ''"
    "   THEN excluded.recording_duration_s ELSE calls.recording_duration_s END,"
    " tokens_input_text = excluded.tokens_input_text,"
    " tokens_input_audio = excluded.tokens_input_audio,"
    " tokens_input_cached = excluded.tokens_input_cached,"
    " tokens_output_text = excluded.tokens_output_text,"
    " tokens_output_audio = excluded.tokens_output_audio,"
    " tokens_input_cached_text = excluded.tokens_input_cached_text,"
    " tokens_input_cached_audio = excluded.tokens_input_cached_audio,"
    " cost_usd = excluded.cost_usd,"
    " node_id = CASE WHEN excluded.node_id <> '' THEN excluded.node_id ELSE calls.node_id END,"
    " openai_reconnects = excluded.openai_reconnects, barge_ins = excluded.barge_ins,"
    " openai_recycles = excluded.openai_recycles,"
    " variant = CASE WHEN excluded.variant <> '' THEN excluded.variant ELSE calls.variant END,"
    " language = CASE WHEN excluded.language <> '' THEN excluded.language ELSE calls.language END,"
    " resumes = CASE WHEN excluded.resumes > calls.resumes THEN excluded.resumes"
    "   ELSE calls.resumes END,"
    " transfer_reason = CASE WHEN excluded.transfer_reason <> '' THEN excluded.transfer_reason "
    "ELSE calls.transfer_reason END,"
    // <Dial>'s outcome (set_transfer_status) may come before the call is
    // finalized: it stands over the supervisor's "dialing".
    " transfer_status = CASE WHEN excluded.transfer_status IN ('', 'dialing')"
    "   AND calls.transfer_status <> '' THEN calls.transfer_status"
    "   ELSE excluded.transfer_status END";

/// The recording on the call's row, if one arrived before the card was
/// written, goes on the card (job `id`).
status card_takes_waiting_recording(detail::database& db, const call_record& c, const job& j,
                                    int64_t id) {
  auto q = db.prepare("SELECT recording_url, recording_duration_s FROM calls WHERE call_sid = ?1",
                      "recording of " + c.call_sid);
  if (!q)
    return q.err();
  q->bind_text(1, c.call_sid);
  auto row = q->step();
  if (!row)
    return row.err();
  if (!*row || q->text_at(0).empty())
    return ok_status();
  job card = j;
  card.id = id;
  card.call_sid = c.call_sid;
  if (card.caller.empty())
    card.caller = c.from;
  return detail::mark_voicemail(db, card, q->text_at(0), static_cast<int>(q->int_at(1)));
}

void read_end_reason(call_record& c, const std::string& text) {
  auto colon = text.find(':');
  auto code = text.substr(0, colon);
  // Rows from before the typed reasons said "error: ..." for internal errors.
  c.end_reason = parse_end_reason(code).value_or(code == "error" ? end_reason::internal_error
                                                                 : end_reason::none);
  if (colon == std::string::npos)
    return;
  auto from = text.find_first_not_of(' ', colon + 1);
  c.end_detail = from == std::string::npos ? std::string{} : text.substr(from);
}

void bind_call(query& q, const call_record& c) {
  q.bind_text(1, c.call_sid).bind_text(2, c.account_sid).bind_text(3, c.tenant_number);
  q.bind_text(4, c.from).bind_text(5, c.to).bind_int(6, c.started_at_ms);
  q.bind_int(7, c.answered_at_ms)
      .bind_int(8, c.ended_at_ms)
      .bind_text(9, std::string{to_string(c.status)});
  q.bind_text(10, end_reason_text(c)).bind_text(11, c.recording_url);
  q.bind_int(12, c.recording_duration_s).bind_int(13, c.usage.input_text);
  q.bind_int(14, c.usage.input_audio).bind_int(15, c.usage.input_cached);
  q.bind_int(16, c.usage.output_text).bind_int(17, c.usage.output_audio);
  q.bind_int(18, c.openai_reconnects).bind_int(19, c.barge_ins);
  q.bind_int(20, c.usage.input_cached_text).bind_int(21, c.usage.input_cached_audio);
  q.bind_double(22, c.cost_usd);
  q.bind_text(23, c.transfer.reason).bind_text(24, c.transfer.status);
  q.bind_text(25, c.node_id);
  q.bind_int(26, c.openai_recycles).bind_text(27, c.variant);
  q.bind_text(28, c.language).bind_int(29, c.resumes);
}

call_record read_call(const query& q) {
  call_record c;
  c.call_sid = q.text_at(0);
  c.account_sid = q.text_at(1);
  c.tenant_number = q.text_at(2);
  c.from = q.text_at(3);
  c.to = q.text_at(4);
  c.started_at_ms = q.int_at(5);
  c.answered_at_ms = q.int_at(6);
  c.ended_at_ms = q.int_at(7);
  c.status = parse_call_status(q.text_at(8)).value_or(call_status::failed);
  read_end_reason(c, q.text_at(9));
  c.recording_url = q.text_at(10);
  c.recording_duration_s = static_cast<int>(q.int_at(11));
  c.usage.input_text = q.int_at(12);
  c.usage.input_audio = q.int_at(13);
  c.usage.input_cached = q.int_at(14);
  c.usage.output_text = q.int_at(15);
  c.usage.output_audio = q.int_at(16);
  c.openai_reconnects = static_cast<int>(q.int_at(17));
  c.barge_ins = static_cast<int>(q.int_at(18));
  c.usage.input_cached_text = q.int_at(19);
  c.usage.input_cached_audio = q.int_at(20);
  c.cost_usd = q.double_at(21);
  c.transfer.reason = q.text_at(22);
  c.transfer.status = q.text_at(23);
  c.node_id = q.text_at(24);
  c.openai_recycles = static_cast<int>(q.int_at(25));
  c.variant = q.text_at(26);
  c.language = q.text_at(27);
  c.resumes = static_cast<int>(q.int_at(28));
  return c;
}

} // namespace

namespace detail {

std::string select_calls(std::string_view rest) {
  return std::string("SELECT ") + call_columns + " FROM calls " + std::string(rest);
}

call_record read_call_row(const query& q) {
  return read_call(q);
}

} // namespace detail

status store::begin_call(const call_record& c) {
  // Twilio retries a webhook that timed out with the same CallSid: the
  // first row stands. (SQLite's OR IGNORE also skips a row that breaks a
  // CHECK; PostgreSQL's DO NOTHING only a duplicate: an empty CallSid is
  // an error there.)
  auto& db = *impl_->db;
  auto q = db.prepare(std::string(db.pick("INSERT OR IGNORE INTO calls (", "INSERT INTO calls (")) +
                          call_columns + ")" + call_values +
                          std::string(db.pick("", " ON CONFLICT DO NOTHING")),
                      "begin call " + c.call_sid);
  if (!q)
    return q.err();
  bind_call(*q, c);
  return q->run();
}

result<bool> store::set_recording(const std::string& call_sid, const std::string& url,
                                  int duration_s, bool live) {
  // A live call's row may not be written yet (its webhook's begin_call and
  // this callback race): the row is made, and finalize keeps the recording.
  // Otherwise only a call this store knows is updated: a callback naming an
  // unknown CallSid must not invent a call.
  auto q = impl_->db->prepare(
      live ? "INSERT INTO calls (call_sid, recording_url, recording_duration_s) VALUES (?1, ?2, ?3)"
             " ON CONFLICT (call_sid) DO UPDATE SET recording_url = excluded.recording_url,"
             " recording_duration_s = excluded.recording_duration_s"
           : "UPDATE calls SET recording_url = ?2, recording_duration_s = ?3 WHERE call_sid = ?1",
      "set recording of " + call_sid);
  if (!q)
    return q.err();
  q->bind_text(1, call_sid).bind_text(2, url).bind_int(3, duration_s);
  if (auto s = q->run(); !s)
    return s.err();
  return impl_->db->changes() > 0;
}

status store::append_turn(const transcript_turn& t) {
  // Idempotent per (call_sid, seq): a turn written twice (a retried
  // message) replaces itself instead of failing.
  auto q = impl_->db->prepare(
      "INSERT INTO transcript_turns (call_sid, seq, role, text, started_at, ended_at, "
      "truncated, latency_ms, bridge_latency_ms, full_text) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
      "?8, ?9, ?10)"
      " ON CONFLICT (call_sid, seq) DO UPDATE SET role = excluded.role, text = excluded.text,"
      " full_text = excluded.full_text,"
      " started_at = excluded.started_at, ended_at = excluded.ended_at,"
      " truncated = excluded.truncated, latency_ms = excluded.latency_ms,"
      " bridge_latency_ms = excluded.bridge_latency_ms",
      "append turn " + std::to_string(t.seq) + " of " + t.call_sid);
  if (!q)
    return q.err();
  q->bind_text(1, t.call_sid)
      .bind_int(2, t.seq)
      .bind_text(3, std::string{to_string(t.role)})
      .bind_text(4, t.text);
  q->bind_int(5, t.started_at_ms).bind_int(6, t.ended_at_ms).bind_int(7, t.truncated ? 1 : 0);
  q->bind_int(8, t.latency_ms).bind_int(9, t.bridge_latency_ms);
  // A turn built without full_text (a caller turn, an uncut reply) was heard whole.
  q->bind_text(10, t.full_text.empty() && !t.truncated ? t.text : t.full_text);
  return q->run();
}

result<int64_t> store::finalize_call(const call_record& c, const job& j,
                                     const std::string& push_url, const std::string& push_body) {
  if (!j.call_sid.empty() && j.call_sid != c.call_sid)
    return error{"invalid", "job for call " + j.call_sid + " finalized with call " + c.call_sid};
  auto& db = *impl_->db;
  detail::transaction tx(db);
  if (auto s = tx.begin(); !s)
    return s.err();

  auto call = db.prepare(std::string("INSERT INTO calls (") + call_columns + ")" + call_values +
                             call_upsert,
                         "finalize call " + c.call_sid);
  if (!call)
    return call.err();
  bind_call(*call, c);
  if (auto s = call->run(); !s)
    return s.err();

  // One job per call: a second finalize (e.g. after a crash-restart)
  // updates the card in place and keeps its id and creation time.
  auto ins = db.prepare(
      "INSERT INTO jobs (call_sid, tenant_number, caller, customer_name, callback_phone, "
      "service, address, preferred_date, preferred_time, urgency, notes, status, summary, "
      "created_at, cost_usd, transfer_reason, transfer_status, analysis, language, resumes) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"
      // the call row's status: <Dial>'s outcome may be there already
      " (SELECT transfer_status FROM calls WHERE call_sid = ?1), ?17, ?18, ?19)"
      " ON CONFLICT (call_sid) DO UPDATE SET tenant_number = excluded.tenant_number,"
      " caller = excluded.caller, customer_name = excluded.customer_name,"
      " callback_phone = excluded.callback_phone, service = excluded.service,"
      " address = excluded.address, preferred_date = excluded.preferred_date,"
      " preferred_time = excluded.preferred_time, urgency = excluded.urgency,"
      " notes = excluded.notes, status = excluded.status, summary = excluded.summary,"
      " cost_usd = excluded.cost_usd, transfer_reason = excluded.transfer_reason,"
      " transfer_status = excluded.transfer_status, analysis = excluded.analysis,"
      " language = excluded.language, resumes = CASE WHEN excluded.resumes > jobs.resumes"
      " THEN excluded.resumes ELSE jobs.resumes END"
      " RETURNING id",
      "save job of " + c.call_sid);
  if (!ins)
    return ins.err();
  const booking& b = j.details;
  int64_t now = now_ms();
  ins->bind_text(1, c.call_sid);
  ins->bind_text(2, j.tenant_number.empty() ? c.tenant_number : j.tenant_number);
  ins->bind_text(3, j.caller.empty() ? c.from : j.caller);
  ins->bind_text(4, b.customer_name).bind_text(5, b.callback_phone).bind_text(6, b.service);
  ins->bind_text(7, b.address).bind_text(8, b.preferred_date).bind_text(9, b.preferred_time);
  ins->bind_text(10, b.urgency).bind_text(11, b.notes).bind_text(12, j.status);
  ins->bind_text(13, j.summary).bind_int(14, j.created_at_ms != 0 ? j.created_at_ms : now);
  ins->bind_double(15, j.cost_usd);
  ins->bind_text(16, c.transfer.reason);
  ins->bind_text(17, j.analysis);
  ins->bind_text(18, j.language.empty() ? c.language : j.language).bind_int(19, c.resumes);
  auto row = ins->step();
  if (!row)
    return row.err();
  if (!*row)
    return error{"sqlite", "save job of " + c.call_sid + ": no id returned"};
  int64_t job_id = ins->int_at(0);
  if (auto s = ins->run(); !s)
    return s.err();

  // A voicemail whose recording callback came before this finalize waits on
  // the call's row (record_voicemail): the card is a voicemail now.
  if (auto s = card_takes_waiting_recording(db, c, j, job_id); !s)
    return s.err();

  // The job card holds the booking now: the call's draft has served.
  if (auto s = detail::drop_booking_draft(db, c.call_sid); !s)
    return s.err();

  if (!push_url.empty()) {
    auto out = db.prepare("INSERT INTO notification_outbox (job_id, url, body, "
                          "next_attempt_at, created_at) VALUES (?1, ?2, ?3, ?4, ?4)",
                          "queue notification for " + c.call_sid);
    if (!out)
      return out.err();
    out->bind_int(1, job_id).bind_text(2, push_url).bind_text(3, push_body).bind_int(4, now);
    if (auto s = out->run(); !s)
      return s.err();
  }
  if (auto s = tx.commit(); !s)
    return s.err();
  return job_id;
}

result<std::optional<call_record>> store::get_call(const std::string& call_sid) {
  auto q =
      impl_->db->prepare(std::string("SELECT ") + call_columns + " FROM calls WHERE call_sid = ?1",
                         "get call " + call_sid);
  if (q)
    q->bind_text(1, call_sid);
  return detail::first_row<call_record>(q, [](const query& r) { return read_call(r); });
}

result<std::vector<call_record>> store::list_calls(int limit) {
  auto q = impl_->db->prepare(std::string("SELECT ") + call_columns +
                                  " FROM calls ORDER BY started_at DESC, rowid DESC LIMIT ?1",
                              "list calls");
  if (!q)
    return q.err();
  q->bind_int(1, limit > 0 ? limit : no_limit);
  return collect<call_record>(*q, read_call);
}

result<std::vector<transcript_turn>> store::turns_for(const std::string& call_sid) {
  auto q = impl_->db->prepare(
      "SELECT call_sid, seq, role, text, started_at, ended_at, truncated, latency_ms, "
      "bridge_latency_ms, full_text FROM transcript_turns WHERE call_sid = ?1 ORDER BY seq",
      "turns of " + call_sid);
  if (!q)
    return q.err();
  q->bind_text(1, call_sid);
  return collect<transcript_turn>(*q, [](const query& r) {
    transcript_turn t;
    t.call_sid = r.text_at(0);
    t.seq = static_cast<int>(r.int_at(1));
    t.role = parse_speaker(r.text_at(2)).value_or(speaker::caller);
    t.text = r.text_at(3);
    t.started_at_ms = r.int_at(4);
    t.ended_at_ms = r.int_at(5);
    t.truncated = r.int_at(6) != 0;
    t.latency_ms = static_cast<int>(r.int_at(7));
    t.bridge_latency_ms = static_cast<int>(r.int_at(8));
    t.full_text = r.text_at(9);
    return t;
  });
}

// The end_reason column holds "reason" or "reason: detail" (the format of
// the rows written before the reason was typed).
std::string end_reason_text(const call_record& c) {
  std::string s{to_string(c.end_reason)};
  if (!c.end_detail.empty())
    s += ": " + c.end_detail;
  return s;
}

std::string transfer_info::describe() const {
  if (reason.empty())
    return "not transferred";
  std::string s = "transferred (" + reason + "); ";
  if (human_answered())
    return s + "a person answered";
  if (status == "dialing" || status.empty())
    return s + "ringing the person (outcome not known yet)";
  if (status == "refused")
    return s + "Twilio refused the transfer";
  return s + "nobody answered (" + status + ")";
}

} // namespace sb::storage
