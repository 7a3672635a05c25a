// The simulated peer's responses and the server events they consist of,
// shaped after definitions/RealtimeServerEvent of the published schema
// (tests/data/openai/openai-realtime.schema.json, docs/protocols.md 5).
#include "sim/peer_session.hpp"

#include "common/time.hpp"
#include "protocol/base64.hpp"

namespace sb::sim {

using writer = rapidjson::Writer<rapidjson::StringBuffer>;

namespace {

// What the real service reports before any session.update (GA defaults),
// except silence_duration_ms, which matches the simulated VAD's default.
constexpr const char* default_session = R"({
  "type": "realtime", "object": "realtime.session", "model": "gpt-realtime",
  "output_modalities": ["audio"], "instructions": "",
  "audio": {
    "input": {"format": {"type": "audio/pcm", "rate": 24000},
              "turn_detection": {"type": "server_vad", "threshold": 0.5, "prefix_padding_ms": 300,
                                 "silence_duration_ms": 500, "create_response": true,
                                 "interrupt_response": true, "idle_timeout_ms": null}},
    "output": {"format": {"type": "audio/pcm", "rate": 24000}, "voice": "marin", "speed": 1.0}},
  "tools": [], "tool_choice": "auto", "max_output_tokens": "inf"})";

template <class Body>
void event(std::vector<std::string>& out, const std::string& event_id, const char* type,
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

void key_str(writer& w, const char* k, const std::string& v) {
  w.Key(k);
  w.String(v);
}

const std::string no_number;

} // namespace

std::string peer_session::new_event_id() {
  return "event_" + std::to_string(++next_id_);
}

std::string peer_session::new_id(const char* prefix) {
  return std::string(prefix) + "_c" + std::to_string(conn_number_) + "n" +
         std::to_string(++next_id_);
}

void peer_session::write_session(writer& w) {
  session_.Accept(w);
}

void peer_session::open() {
  session_.Parse(default_session);
  auto& a = session_.GetAllocator();
  session_.AddMember("id", rapidjson::Value(new_id("sess"), a), a);
  session_.AddMember("expires_at", rapidjson::Value(now_ms() / 1000 + 3600), a);
  shared_->update([](peer_stats& s) { ++s.connections; });
  event(out_, new_event_id(), "session.created", [&](writer& w) {
    w.Key("session");
    write_session(w);
  });
}

void peer_session::reject_beta() {
  send_error("beta_api_shape_disabled",
             "The beta Realtime API shape (OpenAI-Beta: realtime=v1) has been disabled. "
             "Use the GA interface without the OpenAI-Beta header.");
  close_ = true;
}

void peer_session::send_error(const std::string& code, const std::string& message,
                              const std::string& param, const std::string& client_event_id) {
  shared_->update([&code](peer_stats& s) {
    ++s.errors_sent;
    ++s.errors_by_code[code];
  });
  event(out_, new_event_id(), "error", [&](writer& w) {
    w.Key("error");
    w.StartObject();
    key_str(w, "type", "invalid_request_error");
    key_str(w, "code", code);
    key_str(w, "message", message);
    if (!param.empty())
      key_str(w, "param", param);
    if (!client_event_id.empty())
      key_str(w, "event_id", client_event_id);
    w.EndObject();
  });
}

void peer_session::write_item(writer& w, const item& it, const char* status,
                              const std::string& transcript, const std::string& arguments) {
  w.StartObject();
  key_str(w, "id", it.id);
  key_str(w, "object", "realtime.item");
  key_str(w, "type", it.type);
  key_str(w, "status", status);
  if (it.type == "message") {
    key_str(w, "role", it.role);
    w.Key("content");
    w.StartArray();
    w.StartObject();
    if (it.role == "assistant" && it.audio) {
      key_str(w, "type", "output_audio");
      key_str(w, "transcript", transcript);
    } else if (it.role == "assistant") {
      key_str(w, "type", "output_text");
      key_str(w, "text", transcript);
    } else if (it.audio) {
      key_str(w, "type", "input_audio");
    } else {
      key_str(w, "type", "input_text");
      key_str(w, "text", transcript);
    }
    w.EndObject();
    w.EndArray();
  } else if (it.type == "function_call") {
    key_str(w, "call_id", it.call_id);
    key_str(w, "name", it.name);
    key_str(w, "arguments", arguments);
  } else if (it.type == "function_call_output") {
    key_str(w, "call_id", it.call_id);
    key_str(w, "output", arguments);
  }
  w.EndObject();
}

void peer_session::write_usage(writer& w, int64_t output_audio_ms, std::size_t output_text_chars) {
  // Plausible counts: ~10 audio tokens per second heard, ~20 per second
  // spoken, ~4 characters per text token; or the test's own.
  proto::token_usage u;
  u.input_audio = audio_bytes_in_ / 8 / 100;
  u.input_text = static_cast<int64_t>(instructions_.size() / 4) + 20;
  u.output_audio = output_audio_ms / 50;
  u.output_text = static_cast<int64_t>(output_text_chars / 4) + 1;
  if (cfg_.fixed_usage && *cfg_.fixed_usage)
    u = **cfg_.fixed_usage;
  write_usage(w, u);
}

void peer_session::write_usage(writer& w, const proto::token_usage& u) {
  const int64_t in_audio = u.input_audio, in_text = u.input_text;
  const int64_t out_audio = u.output_audio, out_text = u.output_text;
  w.Key("usage");
  w.StartObject();
  w.Key("total_tokens");
  w.Int64(in_audio + in_text + out_audio + out_text);
  w.Key("input_tokens");
  w.Int64(in_audio + in_text);
  w.Key("output_tokens");
  w.Int64(out_audio + out_text);
  w.Key("input_token_details");
  w.StartObject();
  w.Key("cached_tokens");
  w.Int64(u.input_cached_text + u.input_cached_audio);
  w.Key("cached_tokens_details"); // OpenAI's schema, RealtimeResponse.usage
  w.StartObject();
  w.Key("text_tokens");
  w.Int64(u.input_cached_text);
  w.Key("audio_tokens");
  w.Int64(u.input_cached_audio);
  w.EndObject();
  w.Key("text_tokens");
  w.Int64(in_text);
  w.Key("audio_tokens");
  w.Int64(in_audio);
  w.EndObject();
  w.Key("output_token_details");
  w.StartObject();
  w.Key("text_tokens");
  w.Int64(out_text);
  w.Key("audio_tokens");
  w.Int64(out_audio);
  w.EndObject();
  w.EndObject();
}

// -- response life cycle ----------------------------------------------------------

namespace {

void response_created(std::vector<std::string>& out, const std::string& event_id,
                      const std::string& id) {
  event(out, event_id, "response.created", [&](writer& w) {
    w.Key("response");
    w.StartObject();
    key_str(w, "id", id);
    key_str(w, "object", "realtime.response");
    key_str(w, "status", "in_progress");
    w.Key("output");
    w.StartArray();
    w.EndArray();
    w.Key("output_modalities");
    w.StartArray();
    w.String("audio");
    w.EndArray();
    w.EndObject();
  });
}

} // namespace

void peer_session::response_done(const std::string& id, const char* status, const char* reason,
                                 int64_t output_audio_ms, std::size_t output_text_chars,
                                 const std::function<void(writer&)>& output) {
  event(out_, new_event_id(), "response.done", [&](writer& w) {
    w.Key("response");
    w.StartObject();
    key_str(w, "id", id);
    key_str(w, "object", "realtime.response");
    key_str(w, "status", status);
    if (reason) {
      w.Key("status_details");
      w.StartObject();
      key_str(w, "type", status);
      key_str(w, "reason", reason);
      w.EndObject();
    }
    w.Key("output");
    w.StartArray();
    output(w);
    w.EndArray();
    w.Key("output_modalities");
    w.StartArray();
    w.String("audio");
    w.EndArray();
    write_usage(w, output_audio_ms, output_text_chars);
    w.EndObject();
  });
  ++responses_done_;
  shared_->update([](peer_stats& s) { ++s.responses; });
  // Fault injection: the first connection of a caller vanishes (no close frame).
  if (first_connection_ && cfg_.drop_after_responses >= 0 &&
      responses_done_ >= cfg_.drop_after_responses) {
    drop_ = true;
    return;
  }
  if (first_connection_ && cfg_.silent_after_responses >= 0 &&
      responses_done_ >= cfg_.silent_after_responses) {
    silent_ = true;
    return;
  }
  if (first_connection_ && cfg_.deaf_after_responses >= 0 &&
      responses_done_ >= cfg_.deaf_after_responses) {
    deaf_ = true;
    return;
  }
  if (pending_auto_response_ && !active_) {
    pending_auto_response_ = false;
    std::size_t call_index = 0;
    action a = next_action(call_index);
    respond(a, call_index);
  }
}

void peer_session::start_audio_response(std::string clip, std::string transcript, bool end_call,
                                        bool filler) {
  response_state r;
  r.id = new_id("resp");
  r.item_id = new_id("item");
  auto bytes = cfg_.clips ? cfg_.clips->get(clip) : result<std::string>(error{"no_clip", clip});
  r.clip = bytes ? std::move(*bytes) : std::string(8000, '\xFF'); // unknown clip: 1 s of silence
  r.transcript = std::move(transcript);
  r.audio = true;
  r.end_call = end_call;
  r.filler = filler;
  item it{r.item_id, "message", "assistant"};
  it.audio = true;
  it.filler = filler;
  it.text = r.transcript;
  response_created(out_, new_event_id(), r.id);
  for (const char* type : {"response.output_item.added", "conversation.item.added"})
    event(out_, new_event_id(), type, [&](writer& w) {
      if (type[0] == 'r') {
        key_str(w, "response_id", r.id);
        w.Key("output_index");
        w.Int(0);
      } else if (!last_item_id_.empty()) {
        key_str(w, "previous_item_id", last_item_id_);
      }
      w.Key("item");
      write_item(w, it, "in_progress", "");
    });
  event(out_, new_event_id(), "response.content_part.added", [&](writer& w) {
    key_str(w, "response_id", r.id);
    key_str(w, "item_id", r.item_id);
    w.Key("output_index");
    w.Int(0);
    w.Key("content_index");
    w.Int(0);
    w.Key("part");
    w.StartObject();
    key_str(w, "type", "audio");
    key_str(w, "transcript", "");
    w.EndObject();
  });
  items_.push_back(it);
  last_item_id_ = it.id;
  active_ = std::move(r);
}

void peer_session::tick() {
  if (!streaming() || drop_)
    return;
  auto& r = *active_;
  const std::size_t n =
      std::min<std::size_t>(static_cast<std::size_t>(cfg_.delta_ms) * 8, r.clip.size() - r.pos);
  const std::string_view chunk(r.clip.data() + r.pos, n);
  r.pos += n;
  if (cfg_.on_audio_sent && *cfg_.on_audio_sent)
    (*cfg_.on_audio_sent)(script_ ? script_->caller_number : no_number, conn_number_,
                          audio_bytes_out_, chunk, mono_us());
  audio_bytes_out_ += static_cast<int64_t>(n);
  if (item* it = find_item(r.item_id))
    it->audio_bytes += static_cast<int64_t>(n);
  shared_->update([n, &caller = script_ ? script_->caller_number : no_number](peer_stats& s) {
    s.audio_bytes_sent += static_cast<int64_t>(n);
    s.audio_sent_by_caller[caller] += static_cast<int64_t>(n);
  });
  event(out_, new_event_id(), "response.output_audio.delta", [&](writer& w) {
    key_str(w, "response_id", r.id);
    key_str(w, "item_id", r.item_id);
    w.Key("output_index");
    w.Int(0);
    w.Key("content_index");
    w.Int(0);
    key_str(w, "delta", proto::base64_encode(chunk));
  });
  if (r.pos >= r.clip.size())
    finish_audio_response();
}

} // namespace sb::sim
