// Twilio Media Streams frames (docs/protocols.md 2; Twilio "Media Streams -
// WebSocket Messages"). Twilio sends sequenceNumber, chunk and timestamp as
// JSON strings; numbers are accepted too.

#include "protocol/media_stream.hpp"

#include "protocol/base64.hpp"
#include "protocol/json_util.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace sb::proto {

namespace {

using json::value;

twilio_event_type event_type(std::string_view name) {
  if (name == "media")
    return twilio_event_type::media;
  if (name == "mark")
    return twilio_event_type::mark;
  if (name == "start")
    return twilio_event_type::start;
  if (name == "connected")
    return twilio_event_type::connected;
  if (name == "dtmf")
    return twilio_event_type::dtmf;
  if (name == "stop")
    return twilio_event_type::stop;
  return twilio_event_type::unknown;
}

error missing(std::string_view field) {
  return error{"missing_field", "Twilio frame lacks " + std::string(field)};
}

result<twilio_event> parse_start(const value& root, twilio_event e) {
  const value* start = json::object(root, "start");
  if (!start)
    return missing("start");
  if (e.stream_sid.empty())
    json::copy_string(*start, "streamSid", e.stream_sid);
  json::copy_string(*start, "accountSid", e.account_sid);
  json::copy_string(*start, "callSid", e.call_sid);
  if (const value* params = json::object(*start, "customParameters")) {
    for (auto it = params->MemberBegin(); it != params->MemberEnd(); ++it) {
      if (it->value.IsString())
        e.custom_parameters.emplace_back(
            std::string(it->name.GetString(), it->name.GetStringLength()),
            std::string(it->value.GetString(), it->value.GetStringLength()));
    }
  }
  const value* format = json::object(*start, "mediaFormat");
  if (!format)
    return missing("start.mediaFormat");
  json::copy_string(*format, "encoding", e.encoding);
  int64_t rate = 0, channels = 1;
  json::integer(*format, "sampleRate", rate);
  json::integer(*format, "channels", channels);
  // The bridge passes audio through untouched as audio/pcmu: anything but
  // 8 kHz mono mu-law would reach OpenAI as noise.
  if (e.encoding != "audio/x-mulaw" || rate != 8000 || channels != 1)
    return error{"bad_format", "media format is not 8 kHz mono audio/x-mulaw"};
  e.sample_rate = static_cast<int>(rate);
  return e;
}

result<twilio_event> parse_media(const value& root, twilio_event e) {
  const value* media = json::object(root, "media");
  if (!media)
    return missing("media");
  auto it = media->FindMember("payload");
  if (it == media->MemberEnd() || !it->value.IsString())
    return missing("media.payload");
  std::string_view payload{it->value.GetString(), it->value.GetStringLength()};
  if (!base64_valid(payload))
    return error{"bad_base64", "media payload is not base64"};
  e.payload_b64.assign(payload.data(), payload.size());
  json::copy_string(*media, "track", e.track);
  json::integer(*media, "chunk", e.chunk);
  json::integer(*media, "timestamp", e.timestamp_ms);
  return e;
}

std::string finish(const rapidjson::StringBuffer& buffer) {
  return std::string(buffer.GetString(), buffer.GetSize());
}

} // namespace

result<twilio_event> parse_twilio_event(std::string_view text) {
  json::pooled_document doc;
  if (!doc.parse_object(text))
    return error{"malformed_json", "Twilio frame is not a JSON object"};
  const value& root = doc.root();
  std::string_view name = json::string(root, "event");
  if (name.empty())
    return missing("event");
  twilio_event e;
  e.type = event_type(name);
  e.type_name.assign(name.data(), name.size());
  json::copy_string(root, "streamSid", e.stream_sid);
  json::integer(root, "sequenceNumber", e.sequence);
  switch (e.type) {
  case twilio_event_type::start:
    return parse_start(root, std::move(e));
  case twilio_event_type::media:
    return parse_media(root, std::move(e));
  case twilio_event_type::mark: {
    const value* mark = json::object(root, "mark");
    if (!mark || json::string(*mark, "name").empty())
      return missing("mark.name");
    json::copy_string(*mark, "name", e.mark_name);
    return e;
  }
  case twilio_event_type::dtmf: {
    const value* dtmf = json::object(root, "dtmf");
    if (!dtmf || json::string(*dtmf, "digit").empty())
      return missing("dtmf.digit");
    json::copy_string(*dtmf, "digit", e.digit);
    json::copy_string(*dtmf, "track", e.track);
    return e;
  }
  case twilio_event_type::stop:
    if (const value* stop = json::object(root, "stop")) {
      json::copy_string(*stop, "accountSid", e.account_sid);
      json::copy_string(*stop, "callSid", e.call_sid);
    }
    return e;
  case twilio_event_type::connected:
  case twilio_event_type::unknown:
    return e;
  }
  return e;
}

std::string build_twilio_media(std::string_view stream_sid, std::string_view payload_b64) {
  if (json::plain_string(stream_sid) && json::plain_string(payload_b64))
    return json::join({R"({"event":"media","streamSid":")", stream_sid, R"(","media":{"payload":")",
                       payload_b64, R"("}})"});
  rapidjson::StringBuffer buffer;
  buffer.Reserve(payload_b64.size() + stream_sid.size() + 64);
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("event");
  w.String("media");
  w.Key("streamSid");
  w.String(stream_sid.data(), static_cast<rapidjson::SizeType>(stream_sid.size()));
  w.Key("media");
  w.StartObject();
  w.Key("payload");
  w.String(payload_b64.data(), static_cast<rapidjson::SizeType>(payload_b64.size()));
  w.EndObject();
  w.EndObject();
  return finish(buffer);
}

std::string build_twilio_mark(std::string_view stream_sid, std::string_view name) {
  if (json::plain_string(stream_sid) && json::plain_string(name))
    return json::join(
        {R"({"event":"mark","streamSid":")", stream_sid, R"(","mark":{"name":")", name, R"("}})"});
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("event");
  w.String("mark");
  w.Key("streamSid");
  w.String(stream_sid.data(), static_cast<rapidjson::SizeType>(stream_sid.size()));
  w.Key("mark");
  w.StartObject();
  w.Key("name");
  w.String(name.data(), static_cast<rapidjson::SizeType>(name.size()));
  w.EndObject();
  w.EndObject();
  return finish(buffer);
}

std::string build_twilio_clear(std::string_view stream_sid) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("event");
  w.String("clear");
  w.Key("streamSid");
  w.String(stream_sid.data(), static_cast<rapidjson::SizeType>(stream_sid.size()));
  w.EndObject();
  return finish(buffer);
}

std::string custom_parameter(const twilio_event& e, std::string_view name) {
  for (const auto& [n, v] : e.custom_parameters)
    if (n == name)
      return v;
  return {};
}

} // namespace sb::proto
