// The simulated peer's conversation: utterances heard, items the client
// creates (replayed history after a reconnect included) and which scripted
// step a response.create asks for.
#include "sim/peer_session.hpp"

namespace sb::sim {

namespace {

std::string str(const rapidjson::Value& obj, const char* name) {
  if (!obj.IsObject())
    return {};
  auto it = obj.FindMember(name);
  return it != obj.MemberEnd() && it->value.IsString() ? it->value.GetString() : std::string{};
}

/// The text between the first pair of double quotes, e.g. the greeting the
/// bridge asks for in response.instructions: Say exactly: "Thanks for ...".
std::string quoted(const std::string& s) {
  auto a = s.find('"');
  auto b = a == std::string::npos ? a : s.find('"', a + 1);
  return b == std::string::npos ? std::string{} : s.substr(a + 1, b - a - 1);
}

} // namespace

peer_session::item* peer_session::find_item(const std::string& id) {
  for (auto& it : items_)
    if (it.id == id)
      return &it;
  return nullptr;
}

void peer_session::on_speech_started(int64_t audio_ms) {
  speech_item_id_ = new_id("item");
  rapidjson::StringBuffer sb;
  rapidjson::Writer w(sb);
  w.StartObject();
  w.Key("type");
  w.String("input_audio_buffer.speech_started");
  w.Key("event_id");
  w.String(new_event_id());
  w.Key("audio_start_ms");
  w.Int64(audio_ms);
  w.Key("item_id");
  w.String(speech_item_id_);
  w.EndObject();
  emit(sb);
  // Server VAD with interrupt_response: the caller talking over the
  // assistant cancels the response (status_details.reason "turn_detected").
  if (active_ && active_->audio && interrupt_response_)
    cancel_active("turn_detected");
}

void peer_session::on_speech_stopped(int64_t audio_ms) {
  if (speech_item_id_.empty())
    speech_item_id_ = new_id("item");
  const std::string id = std::exchange(speech_item_id_, {});
  item user{id, "message", "user"};
  user.audio = true;
  const std::size_t turn =
      static_cast<std::size_t>(std::count_if(items_.begin(), items_.end(), [](const item& i) {
        return i.type == "message" && i.role == "user";
      }));
  std::string transcript = script_ && turn < script_->turns.size()
                               ? script_->turns[turn].caller_text
                               : std::string("(unscripted)");
  auto event = [&](const char* type, auto&& body) {
    rapidjson::StringBuffer sb;
    rapidjson::Writer w(sb);
    w.StartObject();
    w.Key("type");
    w.String(type);
    w.Key("event_id");
    w.String(new_event_id());
    body(w);
    w.EndObject();
    emit(sb);
  };
  event("input_audio_buffer.speech_stopped", [&](auto& w) {
    w.Key("audio_end_ms");
    w.Int64(audio_ms);
    w.Key("item_id");
    w.String(id);
  });
  event("input_audio_buffer.committed", [&](auto& w) {
    if (!last_item_id_.empty()) {
      w.Key("previous_item_id");
      w.String(last_item_id_);
    }
    w.Key("item_id");
    w.String(id);
  });
  event("conversation.item.added", [&](auto& w) {
    w.Key("item");
    write_item(w, user, "completed");
  });
  event("conversation.item.done", [&](auto& w) {
    w.Key("item");
    write_item(w, user, "completed");
  });
  items_.push_back(user);
  last_item_id_ = id;
  event("conversation.item.input_audio_transcription.completed", [&](auto& w) {
    w.Key("item_id");
    w.String(id);
    w.Key("content_index");
    w.Int(0);
    w.Key("transcript");
    w.String(transcript);
    w.Key("usage");
    w.StartObject();
    w.Key("type");
    w.String("duration");
    w.Key("seconds");
    w.Double(static_cast<double>(audio_ms) / 1000.0);
    w.EndObject();
  });
  if (!create_response_)
    return;
  if (active_) { // answer once the current response is over
    pending_auto_response_ = true;
    return;
  }
  std::size_t call_index = 0;
  action a = next_action(call_index);
  respond(a, call_index);
}

void peer_session::on_item_create(const rapidjson::Document& ev) {
  const std::string event_id = str(ev, "event_id");
  auto it = ev.FindMember("item");
  if (it == ev.MemberEnd() || !it->value.IsObject())
    return send_error("missing_required_parameter", "Missing required parameter: 'item'.", "item",
                      event_id);
  const auto& in = it->value;
  item rec;
  rec.type = str(in, "type");
  rec.id = str(in, "id");
  if (rec.id.empty())
    rec.id = new_id("item");
  else if (find_item(rec.id))
    return send_error("invalid_value", "Item with id '" + rec.id + "' already exists.", "item.id",
                      event_id);
  rec.role = str(in, "role");
  rec.call_id = str(in, "call_id");
  rec.name = str(in, "name");
  std::string arguments = str(in, rec.type == "function_call_output" ? "output" : "arguments");
  std::string transcript;
  if (rec.type == "message") {
    if (rec.role != "user" && rec.role != "assistant" && rec.role != "system")
      return send_error("invalid_value", "Invalid value for 'item.role'.", "item.role", event_id);
    if (auto c = in.FindMember("content"); c != in.MemberEnd() && c->value.IsArray())
      for (const auto& part : c->value.GetArray())
        transcript += str(part, "text");
  } else if (rec.type == "function_call_output") {
    if (rec.call_id.empty())
      return send_error("missing_required_parameter", "Missing required parameter: 'item.call_id'.",
                        "item.call_id", event_id);
  } else if (rec.type != "function_call") {
    return send_error("invalid_value", "Invalid value for 'item.type'.", "item.type", event_id);
  }
  for (const char* type : {"conversation.item.added", "conversation.item.done"}) {
    rapidjson::StringBuffer sb;
    rapidjson::Writer w(sb);
    w.StartObject();
    w.Key("type");
    w.String(type);
    w.Key("event_id");
    w.String(new_event_id());
    if (!last_item_id_.empty()) {
      w.Key("previous_item_id");
      w.String(last_item_id_);
    }
    w.Key("item");
    write_item(w, rec, "completed", transcript, arguments);
    w.EndObject();
    emit(sb);
  }
  rec.text = rec.type == "message" ? transcript : arguments;
  if (rec.type == "message")
    shared_->update([&](peer_stats& s) {
      s.items_created_by_connection[conn_number_].push_back(rec.role + ": " + transcript);
    });
  items_.push_back(rec);
  last_item_id_ = rec.id;
}

void peer_session::on_truncate(const rapidjson::Document& ev) {
  const std::string event_id = str(ev, "event_id");
  const std::string item_id = str(ev, "item_id");
  item* it = find_item(item_id);
  if (!it || it->type != "message" || it->role != "assistant" || it->audio_bytes == 0)
    return send_error("invalid_value", "Only model output audio messages can be truncated",
                      "item_id", event_id);
  auto end = ev.FindMember("audio_end_ms");
  auto ci = ev.FindMember("content_index");
  if (end == ev.MemberEnd() || !end->value.IsInt64() || end->value.GetInt64() < 0)
    return send_error("missing_required_parameter", "Missing required parameter: 'audio_end_ms'.",
                      "audio_end_ms", event_id);
  const int64_t end_ms = end->value.GetInt64();
  const int content_index = ci != ev.MemberEnd() && ci->value.IsInt() ? ci->value.GetInt() : 0;
  if (end_ms * 8 > it->audio_bytes)
    return send_error("invalid_value",
                      "Audio content of " + std::to_string(it->audio_bytes / 8) +
                          "ms is already shorter than " + std::to_string(end_ms) + "ms",
                      "audio_end_ms", event_id);
  const std::string caller = script_ ? script_->caller_number : std::string();
  shared_->update([end_ms, &caller](peer_stats& s) {
    ++s.truncates;
    s.truncate_audio_end_ms.push_back(end_ms);
    s.truncates_by_caller[caller].push_back(end_ms);
  });
  rapidjson::StringBuffer sb;
  rapidjson::Writer w(sb);
  w.StartObject();
  w.Key("type");
  w.String("conversation.item.truncated");
  w.Key("event_id");
  w.String(new_event_id());
  w.Key("item_id");
  w.String(item_id);
  w.Key("content_index");
  w.Int(content_index);
  w.Key("audio_end_ms");
  w.Int64(end_ms);
  w.EndObject();
  emit(sb);
}

void peer_session::on_response_create(const rapidjson::Document& ev) {
  // Out of band (conversation "none"): runs beside the conversation's own
  // response, as the service allows.
  if (auto r = ev.FindMember("response");
      r != ev.MemberEnd() && r->value.IsObject() && str(r->value, "conversation") == "none")
    return out_of_band_response(r->value);
  if (active_)
    return send_error("conversation_already_has_active_response",
                      "Conversation already has an active response in progress: " + active_->id +
                          ". Wait until the response is finished before creating a new one.",
                      {}, str(ev, "event_id"));
  std::string greeting_text;
  if (auto r = ev.FindMember("response"); r != ev.MemberEnd())
    greeting_text = quoted(str(r->value, "instructions"));
  std::size_t call_index = 0;
  action a = next_action(call_index);
  respond(a, call_index, greeting_text);
}

peer_session::action peer_session::next_action(std::size_t& call_index) const {
  // Everything is read off the conversation, so a new connection that got
  // the history replayed continues the script where the old one stopped.
  std::ptrdiff_t last_user = -1;
  std::size_t users = 0;
  for (std::size_t i = 0; i < items_.size(); ++i)
    if (items_[i].type == "message" && items_[i].role == "user") {
      last_user = static_cast<std::ptrdiff_t>(i);
      ++users;
    }
  if (users == 0)
    return action::greeting;
  if (!script_ || users > script_->turns.size())
    return action::empty;
  const auto& turn = script_->turns[users - 1];
  std::size_t calls = 0, outputs = 0;
  std::size_t answered_from = static_cast<std::size_t>(last_user);
  bool end_call = false, replied = false;
  for (std::size_t i = static_cast<std::size_t>(last_user) + 1; i < items_.size(); ++i) {
    const item& it = items_[i];
    if (it.type == "function_call") {
      if (it.name == "end_call")
        end_call = true;
      else
        ++calls;
    } else if (it.type == "function_call_output") {
      ++outputs;
      answered_from = i;
      replied = false;
    } else if (it.type == "message" && it.role == "assistant" && !it.filler && i > answered_from) {
      replied = true;
    }
  }
  if (end_call)
    return action::empty;
  if (calls > outputs)
    return action::filler;
  if (calls < turn.calls.size()) {
    call_index = calls;
    return action::call;
  }
  return replied ? action::repeat : action::reply;
}

void peer_session::respond(action a, std::size_t call_index, std::string greeting_text) {
  const std::size_t users =
      static_cast<std::size_t>(std::count_if(items_.begin(), items_.end(), [](const item& i) {
        return i.type == "message" && i.role == "user";
      }));
  // A line the bridge quotes in response.instructions after the greeting
  // (a transfer's hand-over line): the model says it, whatever the script.
  if (a != action::greeting && !greeting_text.empty())
    return start_audio_response("one_moment", greeting_text, false, false);
  switch (a) {
  case action::greeting:
    return start_audio_response(script_ ? script_->greeting_clip : "greeting",
                                greeting_text.empty() ? "greeting" : greeting_text, false, false);
  case action::filler:
    return start_audio_response("one_moment", "One moment while I check that for you.", false,
                                true);
  case action::call:
    return function_call_response(script_->turns[users - 1].calls[call_index]);
  case action::reply:
  case action::repeat: {
    const auto& turn = script_->turns[users - 1];
    const bool last = users == script_->turns.size();
    return start_audio_response(turn.reply_clip, turn.reply_text,
                                last && script_->assistant_hangs_up && a == action::reply, false);
  }
  case action::empty:
    return empty_response();
  }
}

} // namespace sb::sim
