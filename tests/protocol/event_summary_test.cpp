#include "protocol/event_summary.hpp"

#define BOOST_TEST_MODULE event_summary
#include <boost/test/unit_test.hpp>

#include "protocol/base64.hpp"
#include "protocol/media_stream.hpp"
#include "protocol/realtime.hpp"

#include <rapidjson/document.h>

using namespace sb::proto;

namespace {

/// 20 ms of caller audio (160 mu-law bytes) as the wire carries it.
const std::string frame_b64 = base64_encode(std::string(160, '\x7f'));

/// The summary parsed back: it must always be valid JSON.
rapidjson::Document parsed(const event_summary& s) {
  rapidjson::Document d;
  d.Parse<rapidjson::kParseValidateEncodingFlag>(s.json.data(), s.json.size());
  BOOST_TEST_INFO("summary: " << s.json);
  BOOST_REQUIRE(!d.HasParseError());
  return d;
}

std::string str(const rapidjson::Value& v) {
  return v.IsString() ? std::string{v.GetString(), v.GetStringLength()} : "<not a string>";
}

} // namespace

BOOST_AUTO_TEST_CASE(realtime_append_keeps_its_fields_and_elides_the_audio) {
  auto s = summarize_event(build_input_audio_append(frame_b64));
  BOOST_TEST(s.type == "input_audio_buffer.append");
  auto d = parsed(s);
  BOOST_TEST(str(d["type"]) == "input_audio_buffer.append");
  BOOST_TEST(str(d["audio"]) == "<" + std::to_string(frame_b64.size()) + " bytes base64>");
  BOOST_TEST(s.json.find(frame_b64.substr(0, 16)) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(audio_delta_is_elided_but_transcript_delta_is_kept) {
  std::string audio = R"({"type":"response.output_audio.delta","response_id":"resp_1",)"
                      R"("item_id":"item_1","output_index":0,"content_index":0,"delta":")" +
                      frame_b64 + R"("})";
  auto a = parsed(summarize_event(audio));
  BOOST_TEST(str(a["delta"]) == "<" + std::to_string(frame_b64.size()) + " bytes base64>");
  BOOST_TEST(str(a["item_id"]) == "item_1");
  BOOST_TEST(a["output_index"].GetInt() == 0);

  auto t = parsed(summarize_event(
      R"({"type":"response.output_audio_transcript.delta","item_id":"item_1","delta":"Hello"})"));
  BOOST_TEST(str(t["delta"]) == "Hello");
}

BOOST_AUTO_TEST_CASE(twilio_events_are_named_by_their_event_field) {
  auto m = summarize_event(build_twilio_media("MZ1", frame_b64));
  BOOST_TEST(m.type == "media");
  auto d = parsed(m);
  BOOST_TEST(str(d["streamSid"]) == "MZ1");
  BOOST_TEST(str(d["media"]["payload"]) ==
             "<" + std::to_string(frame_b64.size()) + " bytes base64>");

  auto mark = summarize_event(build_twilio_mark("MZ1", "a7"));
  BOOST_TEST(mark.type == "mark");
  BOOST_TEST(str(parsed(mark)["mark"]["name"]) == "a7");
  BOOST_TEST(summarize_event(build_twilio_clear("MZ1")).type == "clear");
}

BOOST_AUTO_TEST_CASE(long_strings_are_cut_on_a_character_boundary) {
  session_params p;
  // "x" then two-byte characters: byte 200 is the second byte of an "é",
  // so the cut backs off to 199 rather than split it.
  p.instructions = "x";
  for (int i = 0; i < 300; ++i)
    p.instructions += "\xC3\xA9"; // é
  auto s = summarize_event(build_session_update(p));
  BOOST_TEST(s.type == "session.update");
  auto d = parsed(s); // parses with UTF-8 validation: no split character
  std::string cut = str(d["session"]["instructions"]);
  BOOST_TEST(cut.size() < 240u);
  BOOST_TEST(cut.rfind("x\xC3\xA9", 0) == 0);
  BOOST_TEST(cut.find("...(+") != std::string::npos);
  BOOST_TEST(cut.find(" bytes)") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(values_under_secret_keys_are_redacted) {
  auto d = parsed(summarize_event(
      R"({"type":"session.created","session":{"client_secret":{"value":"ek_abc123"},)"
      R"("api_key":"sk-live-1","authToken":"tok","max_output_tokens":"inf",)"
      R"("usage":{"input_tokens":12}}})"));
  const auto& s = d["session"];
  BOOST_TEST(str(s["client_secret"]) == "<redacted>");
  BOOST_TEST(str(s["api_key"]) == "<redacted>");
  BOOST_TEST(str(s["authToken"]) == "<redacted>");
  BOOST_TEST(str(s["max_output_tokens"]) == "inf"); // a limit, not a credential
  BOOST_TEST(s["usage"]["input_tokens"].GetInt() == 12);
}

BOOST_AUTO_TEST_CASE(a_frame_that_is_not_json_becomes_a_cut_string) {
  std::string junk(500, 'z');
  junk[3] = '"';
  junk[4] = '\xff'; // not UTF-8
  auto s = summarize_event(junk);
  BOOST_TEST(s.type.empty());
  auto d = parsed(s);
  BOOST_REQUIRE(d.IsString());
  BOOST_TEST(d.GetStringLength() < 220u);
  BOOST_TEST(parsed(summarize_event("[1,2]")).IsString()); // JSON, but not an event
}

BOOST_AUTO_TEST_CASE(deep_nesting_is_summarised_not_walked) {
  std::string deep = R"({"type":"x","a":)";
  for (int i = 0; i < 5000; ++i)
    deep += "[";
  for (int i = 0; i < 5000; ++i)
    deep += "]";
  deep += "}";
  auto s = summarize_event(deep);
  BOOST_TEST(s.type == "x");
  parsed(s);
  BOOST_TEST(s.json.find("<nested too deep>") != std::string::npos);
}
