// Client events of the OpenAI Realtime API, GA shape (docs/protocols.md 3;
// openai-openapi RealtimeClientEvent*). Every event here is validated against
// OpenAI's published schema in tests/protocol/realtime_schema_test.cpp.

#include "protocol/realtime.hpp"

#include "protocol/json_util.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace sb::proto {

namespace {

using writer = rapidjson::Writer<rapidjson::StringBuffer>;

void str(writer& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

void key_str(writer& w, const char* key, std::string_view s) {
  w.Key(key);
  str(w, s);
}

void pcmu_format(writer& w) {
  w.Key("format");
  w.StartObject();
  key_str(w, "type", "audio/pcmu");
  w.EndObject();
}

/// A tool's JSON Schema, copied as JSON; text that is not a JSON object
/// becomes the empty object schema rather than a malformed session.update.
void tool_parameters(writer& w, std::string_view parameters_json) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(parameters_json.data(), parameters_json.size());
  if (!doc.HasParseError() && doc.IsObject()) {
    doc.Accept(w);
    return;
  }
  w.StartObject();
  key_str(w, "type", "object");
  w.Key("properties");
  w.StartObject();
  w.EndObject();
  w.EndObject();
}

std::string finish(const rapidjson::StringBuffer& b) {
  return std::string(b.GetString(), b.GetSize());
}

/// {"type":"conversation.item.create","item":{ ...fill... }}
template <class Fill> std::string item_create(Fill&& fill) {
  rapidjson::StringBuffer b;
  writer w(b);
  w.StartObject();
  key_str(w, "type", "conversation.item.create");
  w.Key("item");
  w.StartObject();
  fill(w);
  w.EndObject();
  w.EndObject();
  return finish(b);
}

} // namespace

std::string build_session_update(const session_params& p) {
  rapidjson::StringBuffer b;
  writer w(b);
  w.StartObject();
  key_str(w, "type", "session.update");
  w.Key("session");
  w.StartObject();
  key_str(w, "type", "realtime");
  key_str(w, "model", p.model);
  w.Key("output_modalities");
  w.StartArray();
  str(w, "audio");
  w.EndArray();
  key_str(w, "instructions", p.instructions);
  w.Key("audio");
  w.StartObject();
  w.Key("input");
  w.StartObject();
  pcmu_format(w);
  w.Key("turn_detection");
  w.StartObject();
  key_str(w, "type", "server_vad");
  w.Key("threshold");
  w.Double(p.vad_threshold);
  w.Key("prefix_padding_ms");
  w.Int(p.prefix_padding_ms);
  w.Key("silence_duration_ms");
  w.Int(p.silence_duration_ms);
  w.Key("create_response");
  w.Bool(true);
  // interrupt_response: the service cancels the response on speech_started;
  // the bridge still clears Twilio's queue and truncates itself.
  w.Key("interrupt_response");
  w.Bool(vad_interrupts_response);
  // idle_timeout_ms is left out (not null): no idle timeout.
  w.EndObject();
  w.Key("transcription");
  w.StartObject();
  key_str(w, "model", p.transcription_model);
  // language is optional (AudioTranscription in
  // tests/data/openai/openai-realtime.schema.json: "Supplying the input
  // language in ISO-639-1 (e.g. `en`) format will improve accuracy and
  // latency"); left out when not known, the service detects it.
  if (!p.language.empty())
    key_str(w, "language", p.language);
  w.EndObject();
  w.Key("noise_reduction");
  w.StartObject();
  key_str(w, "type", "near_field"); // a handset, close to the mouth
  w.EndObject();
  w.EndObject(); // input
  w.Key("output");
  w.StartObject();
  pcmu_format(w);
  key_str(w, "voice", p.voice);
  w.Key("speed");
  w.Double(p.speed);
  w.EndObject(); // output
  w.EndObject(); // audio
  w.Key("tools");
  w.StartArray();
  for (const auto& t : p.tools) {
    w.StartObject();
    key_str(w, "type", "function");
    key_str(w, "name", t.name);
    key_str(w, "description", t.description);
    w.Key("parameters");
    tool_parameters(w, t.parameters_json);
    w.EndObject();
  }
  w.EndArray();
  key_str(w, "tool_choice", "auto");
  w.EndObject(); // session
  w.EndObject();
  return finish(b);
}

std::string build_input_audio_append(std::string_view audio_b64) {
  if (json::plain_string(audio_b64))
    return json::join({R"({"type":"input_audio_buffer.append","audio":")", audio_b64, R"("})"});
  rapidjson::StringBuffer b;
  b.Reserve(audio_b64.size() + 48);
  writer w(b);
  w.StartObject();
  key_str(w, "type", "input_audio_buffer.append");
  key_str(w, "audio", audio_b64);
  w.EndObject();
  return finish(b);
}

std::string build_message_item(std::string_view role, std::string_view text) {
  // previous_item_id is omitted: the schema types it as a string, so null is
  // rejected; absent means "append".
  return item_create([&](writer& w) {
    key_str(w, "type", "message");
    key_str(w, "role", role);
    w.Key("content");
    w.StartArray();
    w.StartObject();
    key_str(w, "type", role == "assistant" ? "output_text" : "input_text");
    key_str(w, "text", text);
    w.EndObject();
    w.EndArray();
  });
}

std::string build_function_call_output(std::string_view call_id, std::string_view output) {
  return item_create([&](writer& w) {
    key_str(w, "type", "function_call_output");
    key_str(w, "call_id", call_id);
    key_str(w, "output", output);
  });
}

std::string build_function_call_item(std::string_view call_id, std::string_view name,
                                     std::string_view arguments) {
  return item_create([&](writer& w) {
    key_str(w, "type", "function_call");
    key_str(w, "call_id", call_id);
    key_str(w, "name", name);
    key_str(w, "arguments", arguments);
  });
}

std::string build_truncate(std::string_view item_id, int content_index, int64_t audio_end_ms) {
  rapidjson::StringBuffer b;
  writer w(b);
  w.StartObject();
  key_str(w, "type", "conversation.item.truncate");
  key_str(w, "item_id", item_id);
  w.Key("content_index");
  w.Int(content_index);
  w.Key("audio_end_ms");
  w.Int64(audio_end_ms);
  w.EndObject();
  return finish(b);
}

std::string build_response_create(std::string_view instructions) {
  rapidjson::StringBuffer b;
  writer w(b);
  w.StartObject();
  key_str(w, "type", "response.create");
  if (!instructions.empty()) {
    w.Key("response");
    w.StartObject();
    key_str(w, "instructions", instructions);
    w.EndObject();
  }
  w.EndObject();
  return finish(b);
}

std::string build_analysis_request(std::string_view instructions) {
  rapidjson::StringBuffer b;
  writer w(b);
  w.StartObject();
  key_str(w, "type", "response.create");
  w.Key("response");
  w.StartObject();
  key_str(w, "conversation", "none");
  w.Key("output_modalities");
  w.StartArray();
  w.String("text");
  w.EndArray();
  key_str(w, "instructions", instructions);
  w.Key("metadata");
  w.StartObject();
  key_str(w, "purpose", analysis_purpose);
  w.EndObject();
  w.EndObject();
  w.EndObject();
  return finish(b);
}

std::string build_response_cancel() {
  return R"({"type":"response.cancel"})";
}

result<std::string> client_event_type(std::string_view text) {
  json::pooled_document doc;
  if (!doc.parse_object(text))
    return error{"malformed_json", "client event is not a JSON object"};
  std::string_view type = json::string(doc.root(), "type");
  if (type.empty())
    return error{"missing_field", "client event lacks type"};
  return std::string(type);
}

} // namespace sb::proto
