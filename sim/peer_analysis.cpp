// The simulated peer's out-of-band text response (a response.create with
// `conversation: "none"`, the bridge's post-call analysis): the GA event
// sequence of a text response (response.created, output_item.added,
// content_part.added, output_text.delta/.done, content_part.done,
// output_item.done, response.done; RealtimeServerEvent* in
// tests/data/openai/openai-realtime.schema.json), echoing the request's
// metadata, with no conversation.item.* events: the answer joins no
// conversation. peer_options::analysis makes it fail or go unanswered.
#include "sim/peer_session.hpp"

#include <rapidjson/document.h>

#include <algorithm>

namespace sb::sim {

using writer = rapidjson::Writer<rapidjson::StringBuffer>;

namespace {

template <class Body>
void text_event(std::vector<std::string>& out, std::string event_id, const char* type,
                Body&& body) {
  rapidjson::StringBuffer sb;
  writer w(sb);
  w.StartObject();
  w.Key("type");
  w.String(type);
  w.Key("event_id");
  w.String(event_id);
  body(w);
  w.EndObject();
  out.emplace_back(sb.GetString(), sb.GetSize());
}

void where(writer& w, const std::string& response_id, const std::string& item_id) {
  w.Key("response_id");
  w.String(response_id);
  w.Key("item_id");
  w.String(item_id);
  w.Key("output_index");
  w.Int(0);
  w.Key("content_index");
  w.Int(0);
}

void text_part(writer& w, const std::string& text) {
  w.StartObject();
  w.Key("type");
  w.String("output_text");
  w.Key("text");
  w.String(text);
  w.EndObject();
}

void message(writer& w, const std::string& id, const char* status, const std::string* text) {
  w.StartObject();
  w.Key("id");
  w.String(id);
  w.Key("object");
  w.String("realtime.item");
  w.Key("type");
  w.String("message");
  w.Key("status");
  w.String(status);
  w.Key("role");
  w.String("assistant");
  w.Key("content");
  w.StartArray();
  if (text)
    text_part(w, *text);
  w.EndArray();
  w.EndObject();
}

/// The language code the analysis request names (`language code "es"`, as
/// actors/call_analysis.cpp asks); "" when none.
std::string requested_language(const std::string& instructions) {
  const std::string marker = "language code \"";
  auto at = instructions.find(marker);
  if (at == std::string::npos)
    return {};
  at += marker.size();
  auto end = instructions.find('"', at);
  return end == std::string::npos ? std::string{} : instructions.substr(at, end - at);
}

/// The analysis JSON: the script's summary in the requested language when
/// it has one (a model writes the language asked for), else `fallback`.
std::string analysis_answer(const call_script* script, const std::string& instructions,
                            const std::string& fallback) {
  std::string summary = fallback;
  if (script) {
    auto it = script->summaries.find(requested_language(instructions));
    if (it != script->summaries.end())
      summary = it->second;
  }
  rapidjson::StringBuffer sb;
  writer w(sb);
  w.StartObject();
  w.Key("intent");
  w.String("book a service");
  w.Key("sentiment");
  w.String("positive");
  w.Key("summary");
  w.String(summary);
  w.EndObject();
  return sb.GetString();
}

} // namespace

void peer_session::out_of_band_response(const rapidjson::Value& request) {
  using reply = peer_options::analysis_reply;
  if (cfg_.analysis == reply::ignore)
    return;
  const bool fail = cfg_.analysis == reply::fail;
  const auto users = std::count_if(items_.begin(), items_.end(), [](const item& i) {
    return i.type == "message" && i.role == "user";
  });
  auto asked = request.FindMember("instructions");
  const std::string instructions =
      asked != request.MemberEnd() && asked->value.IsString() ? asked->value.GetString() : "";
  const std::string text = analysis_answer(script_, instructions,
                                           "The caller asked for a visit.\nThe caller spoke " +
                                               std::to_string(users) + " times.");
  const std::string rid = new_id("resp"), iid = new_id("item");
  auto response = [&](writer& w, const char* status, bool done) {
    w.Key("response");
    w.StartObject();
    w.Key("id");
    w.String(rid);
    w.Key("object");
    w.String("realtime.response");
    w.Key("status");
    w.String(status);
    w.Key("conversation_id");
    w.Null(); // out of band: no conversation
    w.Key("output");
    w.StartArray();
    if (done && !fail)
      message(w, iid, "completed", &text);
    w.EndArray();
    w.Key("output_modalities");
    w.StartArray();
    w.String("text");
    w.EndArray();
    if (auto m = request.FindMember("metadata"); m != request.MemberEnd() && m->value.IsObject()) {
      w.Key("metadata");
      m->value.Accept(w);
    }
    if (done)
      write_usage(w, 0, fail ? 0 : text.size());
    w.EndObject();
  };
  text_event(out_, new_event_id(), "response.created",
             [&](writer& w) { response(w, "in_progress", false); });
  if (!fail)
    stream_text(rid, iid, text);
  text_event(out_, new_event_id(), "response.done",
             [&](writer& w) { response(w, fail ? "failed" : "completed", true); });
  shared_->update([](peer_stats& s) { ++s.responses; });
}

void peer_session::stream_text(const std::string& rid, const std::string& iid,
                               const std::string& text) {
  text_event(out_, new_event_id(), "response.output_item.added", [&](writer& w) {
    w.Key("response_id");
    w.String(rid);
    w.Key("output_index");
    w.Int(0);
    w.Key("item");
    message(w, iid, "in_progress", nullptr);
  });
  text_event(out_, new_event_id(), "response.content_part.added", [&](writer& w) {
    where(w, rid, iid);
    w.Key("part");
    text_part(w, "");
  });
  text_event(out_, new_event_id(), "response.output_text.delta", [&](writer& w) {
    where(w, rid, iid);
    w.Key("delta");
    w.String(text);
  });
  text_event(out_, new_event_id(), "response.output_text.done", [&](writer& w) {
    where(w, rid, iid);
    w.Key("text");
    w.String(text);
  });
  text_event(out_, new_event_id(), "response.content_part.done", [&](writer& w) {
    where(w, rid, iid);
    w.Key("part");
    text_part(w, text);
  });
  text_event(out_, new_event_id(), "response.output_item.done", [&](writer& w) {
    w.Key("response_id");
    w.String(rid);
    w.Key("output_index");
    w.Int(0);
    w.Key("item");
    message(w, iid, "completed", &text);
  });
}

} // namespace sb::sim
