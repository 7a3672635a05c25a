// Server events of the OpenAI Realtime API, GA names (docs/protocols.md 3;
// openai-openapi RealtimeServerEvent*), flattened into rt_event. Fields are
// read wherever the event carries them, so one tolerant pass fills every type.

#include "protocol/realtime.hpp"

#include "protocol/json_util.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace sb::proto {

namespace {

using json::value;

constexpr std::array<std::pair<std::string_view, rt_type>, 23> type_names{{
    {"conversation.item.added", rt_type::item_added},
    {"conversation.item.done", rt_type::item_done},
    {"conversation.item.input_audio_transcription.completed", rt_type::input_transcript_completed},
    {"conversation.item.input_audio_transcription.delta", rt_type::input_transcript_delta},
    {"conversation.item.input_audio_transcription.failed", rt_type::input_transcript_failed},
    {"error", rt_type::error},
    {"input_audio_buffer.committed", rt_type::audio_committed},
    {"input_audio_buffer.speech_started", rt_type::speech_started},
    {"input_audio_buffer.speech_stopped", rt_type::speech_stopped},
    {"input_audio_buffer.timeout_triggered", rt_type::audio_timeout},
    {"rate_limits.updated", rt_type::rate_limits_updated},
    {"response.created", rt_type::response_created},
    {"response.done", rt_type::response_done},
    {"response.function_call_arguments.delta", rt_type::function_args_delta},
    {"response.function_call_arguments.done", rt_type::function_args_done},
    {"response.output_audio.delta", rt_type::output_audio_delta},
    {"response.output_audio.done", rt_type::output_audio_done},
    {"response.output_audio_transcript.delta", rt_type::output_transcript_delta},
    {"response.output_audio_transcript.done", rt_type::output_transcript_done},
    {"response.output_item.added", rt_type::output_item_added},
    {"response.output_item.done", rt_type::output_item_done},
    {"session.created", rt_type::session_created},
    {"session.updated", rt_type::session_updated},
}};

rt_type type_of(std::string_view name) {
  auto it = std::lower_bound(type_names.begin(), type_names.end(), name,
                             [](const auto& entry, std::string_view n) { return entry.first < n; });
  return it != type_names.end() && it->first == name ? it->second : rt_type::unknown;
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

/// Fills the function call fields present on `v` (the event itself for
/// function_call_arguments.*, the item for output_item.*).
void read_call(const value& v, rt_event& e) {
  json::copy_string(v, "call_id", e.call_id);
  json::copy_string(v, "name", e.name);
  json::copy_string(v, "arguments", e.arguments);
}

void read_item(const value& item, rt_event& e) {
  json::copy_string(item, "type", e.item_type);
  json::copy_string(item, "role", e.item_role);
  if (e.item_id.empty())
    json::copy_string(item, "id", e.item_id);
  if (e.item_type == "function_call")
    read_call(item, e);
}

void read_usage(const value& usage, token_usage& u) {
  if (const value* in = json::object(usage, "input_token_details")) {
    json::integer(*in, "text_tokens", u.input_text);
    json::integer(*in, "audio_tokens", u.input_audio);
    json::integer(*in, "cached_tokens", u.input_cached);
    if (const value* cached = json::object(*in, "cached_tokens_details")) {
      json::integer(*cached, "text_tokens", u.input_cached_text);
      json::integer(*cached, "audio_tokens", u.input_cached_audio);
    }
  }
  if (const value* out = json::object(usage, "output_token_details")) {
    json::integer(*out, "text_tokens", u.output_text);
    json::integer(*out, "audio_tokens", u.output_audio);
  }
}

/// An out-of-band text response: metadata.purpose, and its output_text parts
/// (RealtimeResponse.output[].content[] in OpenAI's schema).
void read_text_output(const value& response, rt_event& e) {
  if (const value* meta = json::object(response, "metadata"))
    json::copy_string(*meta, "purpose", e.purpose);
  auto out = response.FindMember("output");
  if (out == response.MemberEnd() || !out->value.IsArray())
    return;
  for (const auto& item : out->value.GetArray()) {
    auto content = item.IsObject() ? item.FindMember("content") : item.MemberEnd();
    if (!item.IsObject() || content == item.MemberEnd() || !content->value.IsArray())
      continue;
    for (const auto& part : content->value.GetArray())
      if (part.IsObject() && json::string(part, "type") == "output_text") {
        std::string text;
        json::copy_string(part, "text", text);
        e.output_text += text;
      }
  }
}

void read_error(const value& err, rt_event& e) {
  json::copy_string(err, "type", e.error_type);
  json::copy_string(err, "code", e.error_code); // may be null
  json::copy_string(err, "message", e.error_message);
}

} // namespace

result<rt_event> parse_server_event(std::string_view text) {
  json::pooled_document doc;
  if (!doc.parse_object(text))
    return error{"malformed_json", "server event is not a JSON object"};
  const value& root = doc.root();
  std::string_view type = json::string(root, "type");
  if (type.empty())
    return error{"missing_field", "server event lacks type"};

  rt_event e;
  e.type = type_of(type);
  e.type_name.assign(type.data(), type.size());
  json::copy_string(root, "event_id", e.event_id);
  json::copy_string(root, "item_id", e.item_id);
  json::copy_string(root, "response_id", e.response_id);
  int64_t n = 0;
  if (json::integer(root, "content_index", n) && n >= 0 && n <= INT32_MAX)
    e.content_index = static_cast<int>(n);
  // The hot path (response.output_audio.delta): one copy of the audio, from
  // the parsed document into the event.
  json::copy_string(root, "delta", e.delta);
  json::copy_string(root, "transcript", e.text);
  json::integer(root, "audio_start_ms", e.audio_start_ms);
  json::integer(root, "audio_end_ms", e.audio_end_ms);

  if (starts_with(type, "conversation.item.") || starts_with(type, "response.output_item.")) {
    if (const value* item = json::object(root, "item"))
      read_item(*item, e);
  }
  switch (e.type) {
  case rt_type::function_args_delta:
  case rt_type::function_args_done:
    read_call(root, e);
    break;
  case rt_type::response_created:
  case rt_type::response_done:
    if (const value* response = json::object(root, "response")) {
      if (e.response_id.empty())
        json::copy_string(*response, "id", e.response_id);
      json::copy_string(*response, "status", e.response_status);
      if (const value* usage = json::object(*response, "usage"))
        read_usage(*usage, e.usage);
      if (e.type == rt_type::response_done)
        read_text_output(*response, e);
    }
    break;
  case rt_type::error:
  case rt_type::input_transcript_failed:
    if (const value* err = json::object(root, "error"))
      read_error(*err, e);
    break;
  default:
    break;
  }
  return e;
}

} // namespace sb::proto
