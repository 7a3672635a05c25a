#include "sim/peer_session.hpp"

#include "common/time.hpp"
#include "sim/b64_into.hpp"

#include <algorithm>

namespace sb::sim {

// -- peer_shared ----------------------------------------------------------------

peer_stats peer_shared::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void peer_shared::record_client_event(const std::string& frame) {
  std::lock_guard lock(mu_);
  client_events_.push_back(frame);
}

std::vector<std::string> peer_shared::client_events() const {
  std::lock_guard lock(mu_);
  return client_events_;
}

bool peer_shared::first_for_caller(const std::string& caller_number) {
  std::lock_guard lock(mu_);
  return callers_.insert(caller_number).second;
}

int peer_shared::next_connection_number() {
  std::lock_guard lock(mu_);
  return ++connection_numbers_;
}

// -- peer_session: client events ------------------------------------------------

namespace {

constexpr const char* supported_events =
    "'session.update', 'input_audio_buffer.append', 'input_audio_buffer.commit', "
    "'input_audio_buffer.clear', 'conversation.item.create', 'conversation.item.truncate', "
    "'conversation.item.delete', 'conversation.item.retrieve', 'response.create', "
    "'response.cancel', 'output_audio_buffer.clear'";

// Beta-only flat session fields: the GA service answers them with
// unknown_parameter ("Unknown parameter: 'session.input_audio_format'.").
constexpr const char* beta_session_fields[] = {"input_audio_format", "output_audio_format",
                                               "modalities",         "input_audio_transcription",
                                               "turn_detection",     "voice"};

const std::string& no_number() {
  static const std::string empty;
  return empty;
}

std::string str(const rapidjson::Value& obj, const char* name) {
  if (!obj.IsObject())
    return {};
  auto it = obj.FindMember(name);
  return it != obj.MemberEnd() && it->value.IsString() ? it->value.GetString() : std::string{};
}

const rapidjson::Value* member(const rapidjson::Value& obj, const char* name) {
  if (!obj.IsObject())
    return nullptr;
  auto it = obj.FindMember(name);
  return it == obj.MemberEnd() ? nullptr : &it->value;
}

} // namespace

peer_session::peer_session(peer_session_config cfg, std::shared_ptr<peer_shared> shared)
    : cfg_(cfg), shared_(std::move(shared)) {
  conn_number_ = shared_->next_connection_number();
  if (cfg_.scripts && !cfg_.scripts->empty())
    script_ = &cfg_.scripts->front();
  session_.SetObject();
}

void peer_session::on_text(const std::string& frame) {
  if (cfg_.on_audio_received && *cfg_.on_audio_received)
    rx_us_ = mono_us();
  if (cfg_.record_client_events)
    shared_->record_client_event(frame);
  if (drop_ || close_ || silent_ || deaf_)
    return;
  parse_->pool.Clear();
  rapidjson::Document ev(&parse_->pool);
  ev.Parse(frame.c_str(), frame.size());
  if (ev.HasParseError() || !ev.IsObject())
    return send_error("invalid_json", "The server could not parse the JSON event.");
  auto type = member(ev, "type");
  if (!type || !type->IsString())
    return send_error("missing_required_parameter", "Missing required parameter: 'type'.", "type",
                      str(ev, "event_id"));
  handle(ev, type->GetString());
}

void peer_session::handle(const rapidjson::Document& ev, const std::string& type) {
  const std::string event_id = str(ev, "event_id");
  if (type == "session.update")
    return on_session_update(ev);
  if (type == "input_audio_buffer.append")
    return on_append(ev);
  if (type == "input_audio_buffer.commit") {
    if (!vad_.in_speech())
      return send_error("input_audio_buffer_commit_empty",
                        "Error committing input audio buffer: buffer too small.", {}, event_id);
    return on_speech_stopped(vad_.force_stop());
  }
  if (type == "input_audio_buffer.clear") {
    vad_.force_stop();
    rapidjson::StringBuffer sb;
    rapidjson::Writer w(sb);
    w.StartObject();
    w.Key("type");
    w.String("input_audio_buffer.cleared");
    w.Key("event_id");
    w.String(new_event_id());
    w.EndObject();
    return emit(sb);
  }
  if (type == "conversation.item.create")
    return on_item_create(ev);
  if (type == "conversation.item.truncate")
    return on_truncate(ev);
  if (type == "response.create")
    return on_response_create(ev);
  if (type == "response.cancel") {
    shared_->update([](peer_stats& s) { ++s.cancels; });
    if (!active_)
      return send_error("response_cancel_not_active",
                        "Cancellation failed: no active response found.", {}, event_id);
    return cancel_active("client_cancelled");
  }
  send_error("invalid_value",
             "Invalid value: '" + type + "'. Supported values are: " + supported_events + ".",
             "type", event_id);
}

void peer_session::on_session_update(const rapidjson::Document& ev) {
  const std::string event_id = str(ev, "event_id");
  const rapidjson::Value* s = member(ev, "session");
  if (!session_acceptable(s, event_id))
    return;
  merge_session(*s);
  apply_session();
  shared_->update([](peer_stats& st) { ++st.sessions_configured; });
  send_session_updated();
}

/// As the GA service does: an error for a session it refuses.
bool peer_session::session_acceptable(const rapidjson::Value* s, const std::string& event_id) {
  if (!s) {
    send_error("missing_required_parameter", "Missing required parameter: 'session'.", "session",
               event_id);
    return false;
  }
  if (!s->IsObject()) {
    send_error("invalid_type", "Invalid type for 'session': expected an object.", "session",
               event_id);
    return false;
  }
  for (const char* f : beta_session_fields)
    if (member(*s, f)) {
      send_error("unknown_parameter", std::string("Unknown parameter: 'session.") + f + "'.",
                 std::string("session.") + f, event_id);
      return false;
    }
  const rapidjson::Value* type = member(*s, "type");
  if (!type) {
    send_error("missing_required_parameter", "Missing required parameter: 'session.type'.",
               "session.type", event_id);
    return false;
  }
  if (!type->IsString() || std::string_view(type->GetString()) != "realtime") {
    send_error("invalid_value", "Invalid value for 'session.type': expected 'realtime'.",
               "session.type", event_id);
    return false;
  }
  if (const rapidjson::Value* audio = member(*s, "audio")) {
    for (const char* dir : {"input", "output"}) {
      const rapidjson::Value* d = member(*audio, dir);
      const rapidjson::Value* fmt = d ? member(*d, "format") : nullptr;
      if (fmt && !fmt->IsObject()) {
        send_error("invalid_type",
                   std::string("Invalid type for 'session.audio.") + dir +
                       ".format': expected an object, but got a string instead.",
                   std::string("session.audio.") + dir + ".format", event_id);
        return false;
      }
    }
  }
  return true;
}

/// Merges `s` into the configured session: top level replaces, audio.input
/// and audio.output merge field by field (a partial update keeps the rest).
void peer_session::merge_session(const rapidjson::Value& s) {
  auto& alloc = session_.GetAllocator();
  for (const auto& m : s.GetObject()) {
    std::string key = m.name.GetString();
    if (key == "audio" && m.value.IsObject() && session_.HasMember("audio")) {
      auto& audio = session_["audio"];
      for (const auto& dir : m.value.GetObject()) {
        if (!dir.value.IsObject() || !audio.HasMember(dir.name.GetString())) {
          audio.RemoveMember(dir.name.GetString());
          audio.AddMember(rapidjson::Value(dir.name, alloc), rapidjson::Value(dir.value, alloc),
                          alloc);
          continue;
        }
        auto& target = audio[dir.name.GetString()];
        for (const auto& f : dir.value.GetObject()) {
          target.RemoveMember(f.name.GetString());
          target.AddMember(rapidjson::Value(f.name, alloc), rapidjson::Value(f.value, alloc),
                           alloc);
        }
      }
      continue;
    }
    session_.RemoveMember(key.c_str());
    session_.AddMember(rapidjson::Value(m.name, alloc), rapidjson::Value(m.value, alloc), alloc);
  }
}

/// What the merged session sets: instructions, turn detection, and the
/// script (the one whose caller number the instructions name).
void peer_session::apply_session() {
  instructions_ = str(session_, "instructions");
  if (const rapidjson::Value* audio = member(session_, "audio"))
    if (const rapidjson::Value* in = member(*audio, "input"))
      if (const rapidjson::Value* td = member(*in, "turn_detection"); td && td->IsObject()) {
        if (auto v = member(*td, "silence_duration_ms"); v && v->IsInt())
          vad_.set_silence_duration_ms(v->GetInt());
        if (auto v = member(*td, "interrupt_response"); v && v->IsBool())
          interrupt_response_ = v->GetBool();
        if (auto v = member(*td, "create_response"); v && v->IsBool())
          create_response_ = v->GetBool();
      }
  if (cfg_.scripts)
    for (const auto& sc : *cfg_.scripts)
      if (!sc.caller_number.empty() && instructions_.find(sc.caller_number) != std::string::npos) {
        script_ = &sc;
        break;
      }
  if (!script_claimed_ && script_) {
    script_claimed_ = true;
    first_connection_ = shared_->first_for_caller(script_->caller_number);
    shared_->update(
        [&](peer_stats& st) { st.caller_by_connection[conn_number_] = script_->caller_number; });
  }
}

/// session.updated with the whole session; then, when the test asks, garbage.
void peer_session::send_session_updated() {
  rapidjson::StringBuffer sb;
  rapidjson::Writer w(sb);
  w.StartObject();
  w.Key("type");
  w.String("session.updated");
  w.Key("event_id");
  w.String(new_event_id());
  w.Key("session");
  write_session(w);
  w.EndObject();
  emit(sb);
  if (cfg_.send_garbage_after_session) {
    for (int i = 0; i < cfg_.garbage_frames; ++i)
      out_.emplace_back("{not json");
    out_.emplace_back(R"({"type":"made.up.event","event_id":")" + new_event_id() + R"("})");
    send_error("injected_error", "An error injected by the test (send_garbage_after_session).");
  }
}

void peer_session::on_append(const rapidjson::Document& ev) {
  const rapidjson::Value* audio = member(ev, "audio");
  if (!audio || !audio->IsString())
    return send_error("missing_required_parameter", "Missing required parameter: 'audio'.", "audio",
                      str(ev, "event_id"));
  if (!base64_decode_into({audio->GetString(), audio->GetStringLength()}, decoded_))
    return send_error("invalid_value", "Invalid value for 'audio': not valid base64.", "audio",
                      str(ev, "event_id"));
  const std::string& bytes = decoded_;
  if (cfg_.on_audio_received && *cfg_.on_audio_received)
    (*cfg_.on_audio_received)(script_ ? script_->caller_number : no_number(), conn_number_,
                              audio_bytes_in_, bytes, rx_us_);
  audio_bytes_in_ += static_cast<int64_t>(bytes.size());
  shared_->update([n = bytes.size(), conn = conn_number_,
                   &caller = script_ ? script_->caller_number : no_number()](peer_stats& s) {
    s.audio_bytes_received += n;
    s.audio_received_by_caller[caller] += static_cast<int64_t>(n);
    s.audio_received_by_connection[conn] += static_cast<int64_t>(n);
  });
  vad_.feed(bytes, [this](const energy_vad::event& e) {
    if (e.kind == energy_vad::event::started)
      on_speech_started(e.audio_ms);
    else
      on_speech_stopped(e.audio_ms);
  });
}

} // namespace sb::sim
