// How the simulated peer ends a response: completed audio (with the
// scripted end_call after the last reply), cancelled audio (barge-in or
// response.cancel), a function call, or nothing at all.
#include "sim/peer_session.hpp"

namespace sb::sim {

using writer = rapidjson::Writer<rapidjson::StringBuffer>;

namespace {

template <class Body>
void event(std::vector<std::string>& out, std::string event_id, const char* type, Body&& body) {
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

void key_str(writer& w, const char* k, const std::string& v) {
  w.Key(k);
  w.String(v);
}

void ids(writer& w, const std::string& response_id, const std::string& item_id, int output_index,
         bool content = true) {
  key_str(w, "response_id", response_id);
  key_str(w, "item_id", item_id);
  w.Key("output_index");
  w.Int(output_index);
  if (content) {
    w.Key("content_index");
    w.Int(0);
  }
}

} // namespace

void peer_session::audio_parts_done(const response_state& r) {
  event(out_, new_event_id(), "response.output_audio.done",
        [&](writer& w) { ids(w, r.id, r.item_id, 0); });
  event(out_, new_event_id(), "response.output_audio_transcript.done", [&](writer& w) {
    ids(w, r.id, r.item_id, 0);
    key_str(w, "transcript", r.transcript);
  });
  event(out_, new_event_id(), "response.content_part.done", [&](writer& w) {
    ids(w, r.id, r.item_id, 0);
    w.Key("part");
    w.StartObject();
    key_str(w, "type", "audio");
    key_str(w, "transcript", r.transcript);
    w.EndObject();
  });
}

void peer_session::finish_audio_response() {
  response_state r = std::move(*active_);
  active_.reset();
  item* found = find_item(r.item_id);
  item it = found ? *found : item{r.item_id, "message", "assistant"};
  audio_parts_done(r);
  event(out_, new_event_id(), "response.output_item.done", [&](writer& w) {
    key_str(w, "response_id", r.id);
    w.Key("output_index");
    w.Int(0);
    w.Key("item");
    write_item(w, it, "completed", r.transcript);
  });
  event(out_, new_event_id(), "conversation.item.done", [&](writer& w) {
    w.Key("item");
    write_item(w, it, "completed", r.transcript);
  });
  std::optional<item> hangup;
  if (r.end_call) {
    // The script's goodbye: the assistant calls end_call in the same
    // response, after its audio (the bridge hangs up once that has played).
    hangup = item{new_id("item"), "function_call", "", new_id("call"), "end_call"};
    hangup->text = "{}";
    const std::string& hid = hangup->id;
    for (const char* type : {"response.output_item.added", "conversation.item.added"})
      event(out_, new_event_id(), type, [&](writer& w) {
        if (type[0] == 'r') {
          key_str(w, "response_id", r.id);
          w.Key("output_index");
          w.Int(1);
        }
        w.Key("item");
        write_item(w, *hangup, "in_progress", "", "");
      });
    event(out_, new_event_id(), "response.function_call_arguments.done", [&](writer& w) {
      ids(w, r.id, hid, 1, false);
      key_str(w, "call_id", hangup->call_id);
      key_str(w, "name", "end_call");
      key_str(w, "arguments", "{}");
    });
    event(out_, new_event_id(), "response.output_item.done", [&](writer& w) {
      key_str(w, "response_id", r.id);
      w.Key("output_index");
      w.Int(1);
      w.Key("item");
      write_item(w, *hangup, "completed", "", "{}");
    });
    items_.push_back(*hangup);
    last_item_id_ = hid;
  }
  response_done(r.id, "completed", nullptr, static_cast<int64_t>(r.clip.size() / 8),
                r.transcript.size(), [&](writer& w) {
                  write_item(w, it, "completed", r.transcript);
                  if (hangup)
                    write_item(w, *hangup, "completed", "", "{}");
                });
}

void peer_session::cancel_active(const char* reason) {
  response_state r = std::move(*active_);
  active_.reset();
  item* found = find_item(r.item_id);
  item it = found ? *found : item{r.item_id, "message", "assistant"};
  // The service ends the cut item's parts as it ends a finished one: the
  // audio, its transcript (the bridge stores the assistant's turn from it)
  // and the content part are "Also emitted when a Response is interrupted,
  // incomplete, or cancelled" (OpenAI's schema, tests/data/openai/:
  // RealtimeServerEventResponseAudioTranscriptDone and its neighbours).
  // Without them a reply cut while it still streamed was lost from the
  // transcript (e2e_barge_in_test under TSan, docs/stack.md 7). The
  // transcript is the whole reply's: the model writes it ahead of the audio.
  if (r.audio)
    audio_parts_done(r);
  event(out_, new_event_id(), "response.output_item.done", [&](writer& w) {
    key_str(w, "response_id", r.id);
    w.Key("output_index");
    w.Int(0);
    w.Key("item");
    write_item(w, it, "incomplete", r.transcript);
  });
  response_done(r.id, "cancelled", reason, static_cast<int64_t>(r.pos / 8), r.transcript.size(),
                [&](writer& w) { write_item(w, it, "incomplete", r.transcript); });
}

void peer_session::function_call_response(const scripted_function_call& call) {
  const std::string response_id = new_id("resp");
  item it{new_id("item"), "function_call", "", new_id("call"), call.name};
  it.text = call.arguments_json;
  event(out_, new_event_id(), "response.created", [&](writer& w) {
    w.Key("response");
    w.StartObject();
    key_str(w, "id", response_id);
    key_str(w, "object", "realtime.response");
    key_str(w, "status", "in_progress");
    w.Key("output");
    w.StartArray();
    w.EndArray();
    w.EndObject();
  });
  for (const char* type : {"response.output_item.added", "conversation.item.added"})
    event(out_, new_event_id(), type, [&](writer& w) {
      if (type[0] == 'r') {
        key_str(w, "response_id", response_id);
        w.Key("output_index");
        w.Int(0);
      }
      w.Key("item");
      write_item(w, it, "in_progress", "", "");
    });
  event(out_, new_event_id(), "response.function_call_arguments.done", [&](writer& w) {
    ids(w, response_id, it.id, 0, false);
    key_str(w, "call_id", it.call_id);
    key_str(w, "name", call.name);
    key_str(w, "arguments", call.arguments_json);
  });
  event(out_, new_event_id(), "response.output_item.done", [&](writer& w) {
    key_str(w, "response_id", response_id);
    w.Key("output_index");
    w.Int(0);
    w.Key("item");
    write_item(w, it, "completed", "", call.arguments_json);
  });
  event(out_, new_event_id(), "conversation.item.done", [&](writer& w) {
    w.Key("item");
    write_item(w, it, "completed", "", call.arguments_json);
  });
  items_.push_back(it);
  last_item_id_ = it.id;
  response_done(response_id, "completed", nullptr, 0, call.arguments_json.size(),
                [&](writer& w) { write_item(w, it, "completed", "", call.arguments_json); });
}

void peer_session::empty_response() {
  const std::string response_id = new_id("resp");
  event(out_, new_event_id(), "response.created", [&](writer& w) {
    w.Key("response");
    w.StartObject();
    key_str(w, "id", response_id);
    key_str(w, "object", "realtime.response");
    key_str(w, "status", "in_progress");
    w.Key("output");
    w.StartArray();
    w.EndArray();
    w.EndObject();
  });
  response_done(response_id, "completed", nullptr, 0, 0, [](writer&) {});
}

} // namespace sb::sim
