// Post-call analysis (issue 17.4; docs/protocols.md 3, "Post-call
// analysis"): as the call ends, with the caller gone but the Realtime session
// still open, one out-of-band text response is asked for the caller's intent,
// sentiment and a two-line summary. Its answer (or its absence, after
// [call] analysis_ms) goes to the finalizer with the call; a call whose
// analysis fails still gets its job card, marked for review.

#include "actors/call_state.hpp"
#include "common/log.hpp"
#include "receptionist/languages.hpp"

#include <caf/all.hpp>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace sb::actors::detail {

namespace {

/// The business reads the summary in its own language (issue 17.1), the
/// tenant's default, whatever language the call was held in.
std::string analysis_instructions(const storage::tenant& tenant) {
  const auto code = receptionist::call_language(tenant);
  return "The phone call has ended; the caller can no longer hear you. Do not address the caller. "
         "Reply with one JSON object and nothing else, with exactly these string fields: "
         "\"intent\" (what the caller wanted, a few words), \"sentiment\" (one of \"positive\", "
         "\"neutral\", \"negative\") and \"summary\" (two lines separated by \\n, for the "
         "business). Write intent and summary in " +
         receptionist::language_name(code) + " (language code \"" + code +
         "\"), the business's language, whatever language the call was held in.";
}

bool is_string(const rapidjson::Value& v, const char* key) {
  auto m = v.FindMember(key);
  return m != v.MemberEnd() && m->value.IsString() && m->value.GetStringLength() > 0;
}

} // namespace

std::string parse_analysis(std::string_view text) {
  // A model may wrap its JSON in a code fence: keep the outermost object.
  auto from = text.find('{');
  auto to = text.rfind('}');
  if (from == std::string_view::npos || to == std::string_view::npos || to < from)
    return {};
  rapidjson::Document doc;
  doc.Parse(text.data() + from, to - from + 1);
  if (doc.HasParseError() || !doc.IsObject())
    return {};
  for (const char* key : {"intent", "sentiment", "summary"})
    if (!is_string(doc, key))
      return {};
  rapidjson::StringBuffer b;
  rapidjson::Writer<rapidjson::StringBuffer> w(b);
  w.StartObject();
  for (const char* key : {"intent", "sentiment", "summary"}) {
    w.Key(key);
    const auto& v = doc[key];
    w.String(v.GetString(), v.GetStringLength());
  }
  w.EndObject();
  return b.GetString();
}

bool start_analysis(sup_ptr self) {
  auto& st = self->state;
  auto timeout = st.svc.cfg->call.analysis;
  // Only a conversation that happened is worth analysing, and only on a
  // session that is still up.
  if (timeout.count() <= 0 || !st.openai || !st.openai_ready || st.call.answered_at_ms == 0)
    return false;
  st.analysis.asked = true;
  st.analysis.waiting = true;
  if (st.response_in_progress) // the caller hung up mid-reply: that reply is moot
    send_openai(self, proto::build_response_cancel());
  send_openai(self, proto::build_analysis_request(analysis_instructions(st.tenant)));
  self->delayed_send(self, timeout, analysis_atom::value);
  return true;
}

bool on_analysis_event(sup_ptr self, const proto::rt_event& ev) {
  auto& st = self->state;
  if (!st.analysis.waiting)
    return false;
  if (ev.type == proto::rt_type::response_done && ev.purpose == proto::analysis_purpose) {
    charge_usage(st, ev.usage); // priced and counted as every response is
    st.analysis.json = ev.response_status == "completed" ? parse_analysis(ev.output_text) : "";
    if (st.analysis.json.empty())
      log::warn("RealtimeServer",
                "Post-call analysis of " + st.call.call_sid + " unusable (status " +
                    ev.response_status + "); the job card is marked for review",
                st.svc.log);
    analysis_over(self);
  } else if (ev.type == proto::rt_type::error) {
    analysis_failed(self, "OpenAI error " + ev.error_code);
  }
  return true; // while ending, nothing else on the session matters
}

void analysis_failed(sup_ptr self, const std::string& why) {
  auto& st = self->state;
  if (!st.analysis.waiting)
    return;
  log::warn("RealtimeServer",
            "Post-call analysis of " + st.call.call_sid + " failed (" + why +
                "); the job card is marked for review",
            st.svc.log);
  analysis_over(self);
}

void analysis_over(sup_ptr self) {
  auto& st = self->state;
  if (!st.analysis.waiting)
    return;
  st.analysis.waiting = false;
  if (st.openai)
    self->send_exit(st.openai, caf::exit_reason::user_shutdown);
  finalize_call(self);
}

} // namespace sb::actors::detail
