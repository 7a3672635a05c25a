#include "console/view.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>

namespace sb::console {

namespace {

using writer = rapidjson::Writer<rapidjson::StringBuffer>;

void str(writer& w, const char* key, const std::string& v) {
  w.Key(key);
  w.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size()));
}

void num(writer& w, const char* key, int64_t v) {
  w.Key(key);
  w.Int64(v);
}

void booking_json(writer& w, const storage::booking& b) {
  w.StartObject();
  str(w, "customerName", b.customer_name);
  str(w, "callbackPhone", b.callback_phone);
  str(w, "service", b.service);
  str(w, "address", b.address);
  str(w, "preferredDate", b.preferred_date);
  str(w, "preferredTime", b.preferred_time);
  str(w, "urgency", b.urgency);
  str(w, "notes", b.notes);
  w.EndObject();
}

void actor_json(writer& w, const std::string& name, const call_view& c, int64_t now,
                int64_t stale_after_ms, bool finished) {
  w.StartObject();
  str(w, "name", name);
  auto it = c.actors.find(name);
  const actors::actor_report* r = it == c.actors.end() ? nullptr : &it->second;
  num(w, "id", r ? static_cast<int64_t>(r->actor_id) : 0);
  bool alive = r && !finished && now - c.reported_at_ms.at(name) <= stale_after_ms;
  str(w, "state", !r ? "not started" : alive ? r->state : "down");
  w.Key("alive");
  w.Bool(alive);
  num(w, "messagesIn", r ? r->messages_in : 0);
  num(w, "messagesOut", r ? r->messages_out : 0);
  num(w, "mailbox", r && alive ? r->mailbox : 0);
  int restarts = 0;
  std::string last_error;
  for (const auto& h : c.report.children) {
    if (h.name != name)
      continue;
    restarts = h.restarts;
    last_error = h.last_error;
  }
  num(w, "restarts", restarts);
  str(w, "lastError", last_error);
  w.EndObject();
}

/// `sid`: the call's, which its report may not carry yet (a child's report
/// or a transcript line can come before the supervisor's first one).
void call_json(writer& w, const std::string& sid, const call_view& c, int64_t now,
               int64_t stale_after_ms, bool finished) {
  const auto& r = c.report;
  const auto& call = r.call;
  w.StartObject();
  str(w, "callSid", sid);
  str(w, "tenant", call.tenant_number);
  str(w, "tenantName", r.tenant_name);
  str(w, "from", call.from);
  str(w, "language", call.language); // the call's (migration v12); "" : not known yet
  str(w, "state", finished ? "finished" : std::string{to_string(r.phase)});
  num(w, "startedAt", call.started_at_ms);
  int64_t end = finished ? (call.ended_at_ms ? call.ended_at_ms : c.ended_at_ms) : now;
  num(w, "durationMs", call.started_at_ms ? std::max<int64_t>(0, end - call.started_at_ms) : 0);
  num(w, "turns", r.turns);
  num(w, "bargeIns", call.barge_ins);
  num(w, "reconnects", call.openai_reconnects);
  num(w, "recycles", call.openai_recycles);
  str(w, "endReason", storage::end_reason_text(call));
  num(w, "jobId", r.job_id);
  w.Key("booking");
  booking_json(w, r.booking);
  w.Key("usage");
  w.StartObject();
  num(w, "inputText", call.usage.input_text);
  num(w, "inputAudio", call.usage.input_audio);
  num(w, "inputCached", call.usage.input_cached);
  num(w, "outputText", call.usage.output_text);
  num(w, "outputAudio", call.usage.output_audio);
  w.EndObject();
  w.Key("costUsd");
  w.Double(call.cost_usd);
  // The tree: the supervisor, then its children in a fixed order.
  w.Key("actors");
  w.StartArray();
  for (const char* name :
       {"call_supervisor", "openai_socket", "twilio_socket", "transcript", "tool_call"})
    actor_json(w, name, c, now, stale_after_ms, finished);
  w.EndArray();
  w.Key("lines");
  w.StartArray();
  for (const auto& l : c.lines) {
    w.StartObject();
    str(w, "kind", l.kind);
    str(w, "text", l.text);
    str(w, "unheard", l.unheard);
    num(w, "latencyMs", l.latency_ms);
    num(w, "at", l.at_ms);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

} // namespace

std::string snapshot_json(const console_view& v, int64_t now_ms, int64_t stale_after_ms) {
  rapidjson::StringBuffer buf;
  writer w{buf};
  w.StartObject();
  str(w, "type", "snapshot");
  num(w, "now", now_ms);
  w.Key("calls");
  w.StartArray();
  for (const auto& [sid, c] : v.active)
    call_json(w, sid, c, now_ms, stale_after_ms, false);
  w.EndArray();
  w.Key("finished");
  w.StartArray();
  for (const auto& c : v.finished)
    call_json(w, c.report.call.call_sid, c, now_ms, stale_after_ms, true);
  w.EndArray();
  w.EndObject();
  return buf.GetString();
}

} // namespace sb::console
