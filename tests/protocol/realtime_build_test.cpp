#include "protocol/realtime.hpp"

#define BOOST_TEST_MODULE realtime_build
#include <boost/test/unit_test.hpp>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

using namespace sb::proto;

namespace {

rapidjson::Document parse(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str(), text.size());
  BOOST_REQUIRE_MESSAGE(!d.HasParseError() && d.IsObject(), "not a JSON object: " << text);
  return d;
}

std::string str(const rapidjson::Value& v) {
  BOOST_REQUIRE(v.IsString());
  return {v.GetString(), v.GetStringLength()};
}

session_params sample_session() {
  session_params p;
  p.instructions = "You are \"Switchboard\".\nBe brief & kind.";
  p.tools.push_back(
      {"end_call", "Hang up politely",
       R"({"type":"object","properties":{"reason":{"type":"string"}},"required":["reason"]})"});
  return p;
}

} // namespace

// The GA shape of docs/protocols.md 3, member by member.
BOOST_AUTO_TEST_CASE(session_update_has_the_ga_shape) {
  auto d = parse(build_session_update(sample_session()));
  BOOST_TEST(str(d["type"]) == "session.update");
  const auto& s = d["session"];
  BOOST_TEST(str(s["type"]) == "realtime");
  BOOST_TEST(str(s["model"]) == "gpt-realtime");
  BOOST_TEST(s["output_modalities"].Size() == 1u);
  BOOST_TEST(str(s["output_modalities"][0]) == "audio");
  BOOST_TEST(str(s["instructions"]) == "You are \"Switchboard\".\nBe brief & kind.");
  const auto& in = s["audio"]["input"];
  BOOST_TEST(str(in["format"]["type"]) == "audio/pcmu");
  const auto& td = in["turn_detection"];
  BOOST_TEST(str(td["type"]) == "server_vad");
  BOOST_TEST(td["threshold"].GetDouble() == 0.5);
  BOOST_TEST(td["prefix_padding_ms"].GetInt() == 300);
  BOOST_TEST(td["silence_duration_ms"].GetInt() == 500);
  BOOST_TEST(td["create_response"].GetBool());
  BOOST_TEST(td["interrupt_response"].GetBool());
  BOOST_TEST(!td.HasMember("idle_timeout_ms"));
  BOOST_TEST(str(in["transcription"]["model"]) == "whisper-1");
  BOOST_TEST(str(in["transcription"]["language"]) == "en");
  BOOST_TEST(str(in["noise_reduction"]["type"]) == "near_field");
  const auto& out = s["audio"]["output"];
  BOOST_TEST(str(out["format"]["type"]) == "audio/pcmu");
  BOOST_TEST(str(out["voice"]) == "marin");
  BOOST_TEST(out["speed"].GetDouble() == 1.0);
  BOOST_REQUIRE(s["tools"].Size() == 1u);
  const auto& tool = s["tools"][0];
  BOOST_TEST(str(tool["type"]) == "function");
  BOOST_TEST(str(tool["name"]) == "end_call");
  BOOST_TEST(str(tool["description"]) == "Hang up politely");
  BOOST_TEST(str(tool["parameters"]["properties"]["reason"]["type"]) == "string");
  BOOST_TEST(str(s["tool_choice"]) == "auto");
  BOOST_TEST(!s.HasMember("input_audio_format")); // the switched-off beta shape
}

BOOST_AUTO_TEST_CASE(session_update_takes_parameters_from_config) {
  session_params p;
  p.model = "gpt-realtime-mini";
  p.voice = "cedar";
  p.speed = 1.25;
  p.language = "de";
  p.vad_threshold = 0.7;
  p.silence_duration_ms = 800;
  auto d = parse(build_session_update(p));
  BOOST_TEST(str(d["session"]["model"]) == "gpt-realtime-mini");
  BOOST_TEST(str(d["session"]["audio"]["output"]["voice"]) == "cedar");
  BOOST_TEST(d["session"]["audio"]["output"]["speed"].GetDouble() == 1.25);
  BOOST_TEST(str(d["session"]["audio"]["input"]["transcription"]["language"]) == "de");
  BOOST_TEST(d["session"]["audio"]["input"]["turn_detection"]["threshold"].GetDouble() == 0.7);
  BOOST_TEST(d["session"]["audio"]["input"]["turn_detection"]["silence_duration_ms"].GetInt() ==
             800);
  BOOST_TEST(d["session"]["tools"].Size() == 0u);
}

BOOST_AUTO_TEST_CASE(an_unknown_language_is_left_out_of_the_transcription) {
  session_params p;
  p.language = ""; // several served: the service detects the caller's (issue 17.1)
  auto d = parse(build_session_update(p));
  const auto& tr = d["session"]["audio"]["input"]["transcription"];
  BOOST_TEST(!tr.HasMember("language"));
  BOOST_TEST(str(tr["model"]) == "whisper-1");
}

BOOST_AUTO_TEST_CASE(a_tool_with_invalid_parameters_json_gets_an_empty_object_schema) {
  session_params p;
  p.tools.push_back({"broken", "x", "{not json"});
  auto d = parse(build_session_update(p));
  BOOST_TEST(str(d["session"]["tools"][0]["parameters"]["type"]) == "object");
}

BOOST_AUTO_TEST_CASE(message_items_use_input_text_or_output_text_by_role) {
  for (auto [role, content_type] :
       {std::pair{"user", "input_text"}, std::pair{"system", "input_text"},
        std::pair{"assistant", "output_text"}}) {
    auto d = parse(build_message_item(role, "hi \"there\""));
    BOOST_TEST(str(d["type"]) == "conversation.item.create");
    BOOST_TEST(!d.HasMember("previous_item_id"));
    BOOST_TEST(str(d["item"]["type"]) == "message");
    BOOST_TEST(str(d["item"]["role"]) == role);
    BOOST_TEST(str(d["item"]["content"][0]["type"]) == content_type);
    BOOST_TEST(str(d["item"]["content"][0]["text"]) == "hi \"there\"");
  }
}

BOOST_AUTO_TEST_CASE(function_items_carry_call_id_name_arguments_and_output) {
  auto out = parse(build_function_call_output("call_1", R"({"ok":true})"));
  BOOST_TEST(str(out["item"]["type"]) == "function_call_output");
  BOOST_TEST(str(out["item"]["call_id"]) == "call_1");
  BOOST_TEST(str(out["item"]["output"]) == R"({"ok":true})");
  auto call = parse(build_function_call_item("call_1", "end_call", R"({"reason":"done"})"));
  BOOST_TEST(str(call["item"]["type"]) == "function_call");
  BOOST_TEST(str(call["item"]["name"]) == "end_call");
  BOOST_TEST(str(call["item"]["arguments"]) == R"({"reason":"done"})");
}

BOOST_AUTO_TEST_CASE(truncate_append_and_response_events) {
  auto t = parse(build_truncate("item_9", 0, 1234));
  BOOST_TEST(str(t["type"]) == "conversation.item.truncate");
  BOOST_TEST(str(t["item_id"]) == "item_9");
  BOOST_TEST(t["content_index"].GetInt() == 0);
  BOOST_TEST(t["audio_end_ms"].GetInt64() == 1234);
  auto a = parse(build_input_audio_append("/w=="));
  BOOST_TEST(str(a["type"]) == "input_audio_buffer.append");
  BOOST_TEST(str(a["audio"]) == "/w==");
  auto r = parse(build_response_create());
  BOOST_TEST(str(r["type"]) == "response.create");
  BOOST_TEST(!r.HasMember("response"));
  auto ri = parse(build_response_create("Say goodbye."));
  BOOST_TEST(str(ri["response"]["instructions"]) == "Say goodbye.");
  auto c = parse(build_response_cancel());
  BOOST_TEST(str(c["type"]) == "response.cancel");
}

BOOST_AUTO_TEST_CASE(the_append_is_byte_for_byte_the_writers) {
  // Joined from its parts when the audio needs no escaping (every base64
  // does); otherwise written by RapidJSON's Writer: the oracle here.
  auto written = [](std::string_view audio) {
    rapidjson::StringBuffer b;
    rapidjson::Writer<rapidjson::StringBuffer> w(b);
    w.StartObject();
    w.Key("type");
    w.String("input_audio_buffer.append");
    w.Key("audio");
    w.String(audio.data(), static_cast<rapidjson::SizeType>(audio.size()));
    w.EndObject();
    return std::string{b.GetString(), b.GetSize()};
  };
  for (std::string_view audio : {"/w==", "", "AAAA+/9z", "a\"b", "a\\b", "\x01", "\xc3\xa9"})
    BOOST_TEST(build_input_audio_append(audio) == written(audio));
}

BOOST_AUTO_TEST_CASE(control_characters_and_unicode_are_escaped_correctly) {
  std::string tricky = std::string("a\0b", 3) + "\x01\t\"\\ \xE2\x82\xAC";
  auto d = parse(build_message_item("user", tricky));
  const auto& text = d["item"]["content"][0]["text"];
  BOOST_TEST(std::string(text.GetString(), text.GetStringLength()) == tricky);
}
