#include "protocol/media_stream.hpp"

#define BOOST_TEST_MODULE media_stream
#include <boost/test/unit_test.hpp>

#include "protocol/base64.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

using namespace sb::proto;

namespace {

// Frames in the shape of Twilio's "Media Streams - WebSocket Messages" docs
// (numbers as strings, as Twilio sends them).
constexpr std::string_view connected_frame =
    R"({"event": "connected", "protocol": "Call", "version": "1.0.0"})";

constexpr std::string_view start_frame = R"({
  "event": "start",
  "sequenceNumber": "1",
  "start": {
    "accountSid": "AC0123456789abcdef0123456789abcdef",
    "streamSid": "MZ18ad3ab5a668481ce02b83e7395059f0",
    "callSid": "CA0123456789abcdef0123456789abcdef",
    "tracks": ["inbound"],
    "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
    "customParameters": {"callSid": "CA0123456789abcdef0123456789abcdef", "to": "+15557654321"}
  },
  "streamSid": "MZ18ad3ab5a668481ce02b83e7395059f0"
})";

constexpr std::string_view media_frame = R"({
  "event": "media",
  "sequenceNumber": "3",
  "media": {
    "track": "inbound",
    "chunk": "1",
    "timestamp": "5",
    "payload": "/37+fYAA/37+fYAA/37+fYAA/37+fYAA/37+fYAA/37+fYAA/37+fYAA/37+fYAA/37+fYAA/37+fYAA/37+fYAA/37+fYAA/37+fYAA/37+fYAA/37+fYAA/37+fYAA/37+fYAA/37+fYAA/37+fYAA/37+fYAA/37+fYAA/37+fYAA/37+fYAA/37+fYAA/37+fYAA/37+fYAA/////w=="
  },
  "streamSid": "MZ18ad3ab5a668481ce02b83e7395059f0"
})";

constexpr std::string_view mark_frame = R"({
  "event": "mark",
  "sequenceNumber": "4",
  "streamSid": "MZ18ad3ab5a668481ce02b83e7395059f0",
  "mark": {"name": "m17"}
})";

constexpr std::string_view dtmf_frame = R"({
  "event": "dtmf",
  "streamSid": "MZ18ad3ab5a668481ce02b83e7395059f0",
  "sequenceNumber": "5",
  "dtmf": {"track": "inbound_track", "digit": "1"}
})";

constexpr std::string_view stop_frame = R"({
  "event": "stop",
  "sequenceNumber": "6",
  "streamSid": "MZ18ad3ab5a668481ce02b83e7395059f0",
  "stop": {"accountSid": "AC0123456789abcdef0123456789abcdef", "callSid": "CA0123456789abcdef0123456789abcdef"}
})";

constexpr std::string_view sid = "MZ18ad3ab5a668481ce02b83e7395059f0";

twilio_event parse_ok(std::string_view frame) {
  auto r = parse_twilio_event(frame);
  BOOST_REQUIRE_MESSAGE(r.ok(),
                        "parse failed: " << (r.ok() ? "" : r.err().code + " " + r.err().message));
  return *r;
}

std::string error_code(std::string_view frame) {
  auto r = parse_twilio_event(frame);
  return r.ok() ? "ok" : r.err().code;
}

} // namespace

BOOST_AUTO_TEST_CASE(parses_connected) {
  auto e = parse_ok(connected_frame);
  BOOST_TEST((e.type == twilio_event_type::connected));
  BOOST_TEST(e.type_name == "connected");
}

BOOST_AUTO_TEST_CASE(parses_start_with_custom_parameters) {
  auto e = parse_ok(start_frame);
  BOOST_TEST((e.type == twilio_event_type::start));
  BOOST_TEST(e.sequence == 1);
  BOOST_TEST(e.stream_sid == sid);
  BOOST_TEST(e.account_sid == "AC0123456789abcdef0123456789abcdef");
  BOOST_TEST(e.call_sid == "CA0123456789abcdef0123456789abcdef");
  BOOST_TEST(e.encoding == "audio/x-mulaw");
  BOOST_TEST(e.sample_rate == 8000);
  BOOST_TEST(e.custom_parameters.size() == 2u);
  BOOST_TEST(custom_parameter(e, "to") == "+15557654321");
  BOOST_TEST(custom_parameter(e, "callSid") == e.call_sid);
  BOOST_TEST(custom_parameter(e, "absent") == "");
}

BOOST_AUTO_TEST_CASE(parses_media_with_numbers_sent_as_strings) {
  auto e = parse_ok(media_frame);
  BOOST_TEST((e.type == twilio_event_type::media));
  BOOST_TEST(e.sequence == 3);
  BOOST_TEST(e.chunk == 1);
  BOOST_TEST(e.timestamp_ms == 5);
  BOOST_TEST(e.track == "inbound");
  BOOST_TEST(base64_decoded_size(e.payload_b64) == 160u);
}

BOOST_AUTO_TEST_CASE(accepts_numbers_sent_as_numbers) {
  auto e = parse_ok(R"({"event":"media","sequenceNumber":9,"streamSid":"MZ1",)"
                    R"("media":{"track":"inbound","chunk":8,"timestamp":140,"payload":"/w=="}})");
  BOOST_TEST(e.sequence == 9);
  BOOST_TEST(e.chunk == 8);
  BOOST_TEST(e.timestamp_ms == 140);
}

BOOST_AUTO_TEST_CASE(ignores_unusable_numbers_without_failing) {
  auto e =
      parse_ok(R"({"event":"media","sequenceNumber":"12x","streamSid":"MZ1",)"
               R"("media":{"chunk":1e300,"timestamp":"99999999999999999999999","payload":""}})");
  BOOST_TEST(e.sequence == -1);
  BOOST_TEST(e.chunk == -1);
  BOOST_TEST(e.timestamp_ms == -1);
}

BOOST_AUTO_TEST_CASE(parses_mark_dtmf_and_stop) {
  auto m = parse_ok(mark_frame);
  BOOST_TEST((m.type == twilio_event_type::mark));
  BOOST_TEST(m.mark_name == "m17");
  auto d = parse_ok(dtmf_frame);
  BOOST_TEST((d.type == twilio_event_type::dtmf));
  BOOST_TEST(d.digit == "1");
  BOOST_TEST(d.track == "inbound_track");
  auto s = parse_ok(stop_frame);
  BOOST_TEST((s.type == twilio_event_type::stop));
  BOOST_TEST(s.sequence == 6);
  BOOST_TEST(s.call_sid == "CA0123456789abcdef0123456789abcdef");
  BOOST_TEST(s.stream_sid == sid);
}

BOOST_AUTO_TEST_CASE(an_unknown_event_is_not_an_error) {
  auto e = parse_ok(R"({"event":"userDefinedMessage","streamSid":"MZ1"})");
  BOOST_TEST((e.type == twilio_event_type::unknown));
  BOOST_TEST(e.type_name == "userDefinedMessage");
}

BOOST_AUTO_TEST_CASE(rejects_malformed_json) {
  for (std::string_view bad : std::initializer_list<std::string_view>{
           "", "{", "[]", "\"media\"", "null", R"({"event":"media"} x)", R"({"event":"media",})",
           std::string_view("\0{}", 3)})
    BOOST_TEST(error_code(bad) == "malformed_json", "input: " << bad);
}

BOOST_AUTO_TEST_CASE(survives_deep_nesting) {
  std::string deep =
      R"({"event":"media","x":)" + std::string(100000, '[') + std::string(100000, ']') + "}";
  BOOST_TEST(error_code(deep) == "missing_field"); // no media object: parsed, not crashed
}

BOOST_AUTO_TEST_CASE(rejects_missing_or_mistyped_fields) {
  BOOST_TEST(error_code(R"({"streamSid":"MZ1"})") == "missing_field");
  BOOST_TEST(error_code(R"({"event":7})") == "missing_field");
  BOOST_TEST(error_code(R"({"event":"media","media":"x"})") == "missing_field");
  BOOST_TEST(error_code(R"({"event":"media","media":{"payload":42}})") == "missing_field");
  BOOST_TEST(error_code(R"({"event":"mark","mark":{}})") == "missing_field");
  BOOST_TEST(error_code(R"({"event":"dtmf","dtmf":{"digit":1}})") == "missing_field");
  BOOST_TEST(error_code(R"({"event":"start"})") == "missing_field");
}

BOOST_AUTO_TEST_CASE(rejects_a_media_payload_that_is_not_base64) {
  BOOST_TEST(error_code(R"({"event":"media","media":{"payload":"not base64!"}})") == "bad_base64");
  BOOST_TEST(error_code(R"({"event":"media","media":{"payload":"/w="}})") == "bad_base64");
}

BOOST_AUTO_TEST_CASE(rejects_a_start_that_is_not_8khz_mulaw) {
  BOOST_TEST(
      error_code(
          R"({"event":"start","start":{"mediaFormat":{"encoding":"audio/x-l16","sampleRate":8000,"channels":1}}})") ==
      "bad_format");
  BOOST_TEST(
      error_code(
          R"({"event":"start","start":{"mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":16000,"channels":1}}})") ==
      "bad_format");
  BOOST_TEST(
      error_code(
          R"({"event":"start","start":{"mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":"8000","channels":2}}})") ==
      "bad_format");
}

BOOST_AUTO_TEST_CASE(builds_outbound_frames_in_twilios_shape) {
  rapidjson::Document d;
  d.Parse(build_twilio_media("MZ1", "/w==").c_str());
  BOOST_REQUIRE(d.IsObject());
  BOOST_TEST(std::string(d["event"].GetString()) == "media");
  BOOST_TEST(std::string(d["streamSid"].GetString()) == "MZ1");
  BOOST_TEST(std::string(d["media"]["payload"].GetString()) == "/w==");
  BOOST_TEST(d.MemberCount() == 3u);

  d.Parse(build_twilio_mark("MZ1", "a \"quoted\"\\name").c_str());
  BOOST_REQUIRE(d.IsObject());
  BOOST_TEST(std::string(d["event"].GetString()) == "mark");
  BOOST_TEST(std::string(d["mark"]["name"].GetString()) == "a \"quoted\"\\name");

  d.Parse(build_twilio_clear("MZ1").c_str());
  BOOST_REQUIRE(d.IsObject());
  BOOST_TEST(std::string(d["event"].GetString()) == "clear");
  BOOST_TEST(d.MemberCount() == 2u);
}

namespace {

/// The oracle: the frame as RapidJSON's Writer writes it (the hot frames
/// are joined from their parts when nothing in them needs escaping).
std::string written(const char* event, std::string_view sid, const char* object, const char* key,
                    std::string_view value) {
  rapidjson::StringBuffer b;
  rapidjson::Writer<rapidjson::StringBuffer> w(b);
  w.StartObject();
  w.Key("event");
  w.String(event);
  w.Key("streamSid");
  w.String(sid.data(), static_cast<rapidjson::SizeType>(sid.size()));
  w.Key(object);
  w.StartObject();
  w.Key(key);
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
  w.EndObject();
  w.EndObject();
  return {b.GetString(), b.GetSize()};
}

} // namespace

BOOST_AUTO_TEST_CASE(media_and_mark_frames_are_byte_for_byte_the_writers) {
  std::string delta = base64_encode(std::string(800, '\x7f'));
  std::string with_nul{"a\0b", 3};
  for (std::string_view sid : {"MZ18ad3ab5a668481ce02b83e7395059f0", "MZ\"1", "MZ\\1", "MZ\n1"})
    for (std::string_view v :
         {std::string_view{delta}, std::string_view{"/w=="}, std::string_view{},
          std::string_view{"a\"b"}, std::string_view{"a\\b"}, std::string_view{"\x01\x1f"},
          std::string_view{"caf\xc3\xa9"}, std::string_view{with_nul}}) {
      BOOST_TEST(build_twilio_media(sid, v) == written("media", sid, "media", "payload", v));
      BOOST_TEST(build_twilio_mark(sid, v) == written("mark", sid, "mark", "name", v));
    }
}

BOOST_AUTO_TEST_CASE(a_frame_with_a_nul_byte_is_malformed) {
  // Parsed in place up to a NUL, such a frame would lose what follows it;
  // JSON text never holds one (RFC 8259), so it is refused whole.
  std::string frame = R"({"event":"mark","streamSid":"MZ1","mark":{"name":"m1"}})";
  BOOST_TEST(parse_ok(frame).mark_name == "m1");
  BOOST_TEST(error_code(frame + std::string(1, '\0') + "x") == "malformed_json");
  std::string inside = frame;
  inside.insert(inside.find("m1"), 1, '\0');
  BOOST_TEST(error_code(inside) == "malformed_json");
}

BOOST_AUTO_TEST_CASE(escaped_strings_decode_in_place_and_outlive_the_next_parse) {
  auto first = parse_ok(R"({"event":"mark","streamSid":"MZ\"1\u00e9","mark":{"name":"a\\b\n"}})");
  auto second = parse_ok(R"({"event":"mark","streamSid":"MZ2","mark":{"name":"zz"}})");
  BOOST_TEST(first.stream_sid == "MZ\"1\xc3\xa9");
  BOOST_TEST(first.mark_name == "a\\b\n");
  BOOST_TEST(second.mark_name == "zz");
}

BOOST_AUTO_TEST_CASE(a_built_mark_parses_back_as_its_echo) {
  auto e = parse_ok(build_twilio_mark("MZ1", "m42"));
  BOOST_TEST((e.type == twilio_event_type::mark));
  BOOST_TEST(e.mark_name == "m42");
}
