#include "tests/support/schema_check.hpp"

#define BOOST_TEST_MODULE realtime_schema
#include <boost/test/unit_test.hpp>

#include "protocol/realtime.hpp"

using namespace sb::proto;
using sb::test::realtime_schema;

namespace {

std::string check(const std::string& event) {
  return realtime_schema::instance().check_client_event(event);
}

session_params full_session() {
  session_params p;
  p.instructions = "Answer the phone for Acme.";
  p.tools.push_back(
      {"end_call", "Hang up", R"({"type":"object","properties":{"reason":{"type":"string"}}})"});
  p.tools.push_back(
      {"transfer_call", "Transfer",
       R"({"type":"object","properties":{"to":{"type":"string"}},"required":["to"]})"});
  return p;
}

} // namespace

// -- every builder validates against OpenAI's published schema ------------------

BOOST_AUTO_TEST_CASE(session_update_validates) {
  BOOST_TEST(check(build_session_update(full_session())) == "");
  BOOST_TEST(check(build_session_update(session_params{})) == "");
}

BOOST_AUTO_TEST_CASE(audio_append_validates) {
  BOOST_TEST(check(build_input_audio_append("/37+fYAA")) == "");
}

BOOST_AUTO_TEST_CASE(message_items_validate_for_every_role) {
  BOOST_TEST(check(build_message_item("user", "hello")) == "");
  BOOST_TEST(check(build_message_item("assistant", "hi, how can I help?")) == "");
  BOOST_TEST(check(build_message_item("system", "The caller is a VIP.")) == "");
}

BOOST_AUTO_TEST_CASE(function_items_validate) {
  BOOST_TEST(check(build_function_call_output("call_1", R"({"ok":true})")) == "");
  BOOST_TEST(check(build_function_call_item("call_1", "end_call", R"({"reason":"bye"})")) == "");
}

BOOST_AUTO_TEST_CASE(truncate_and_response_events_validate) {
  BOOST_TEST(check(build_truncate("item_1", 0, 1500)) == "");
  BOOST_TEST(check(build_response_create()) == "");
  BOOST_TEST(check(build_response_create("Say goodbye.")) == "");
  BOOST_TEST(check(build_response_cancel()) == "");
}

BOOST_AUTO_TEST_CASE(the_post_call_analysis_request_validates) {
  auto event = build_analysis_request("Answer with JSON: intent, sentiment, summary.");
  BOOST_TEST(check(event) == "");
  BOOST_TEST(event.find(R"("conversation":"none")") != std::string::npos, event);
  BOOST_TEST(event.find(R"("output_modalities":["text"])") != std::string::npos, event);
}

// -- the checker rejects what the live service rejects --------------------------

BOOST_AUTO_TEST_CASE(rejects_the_beta_session_shape) {
  std::string beta = R"({"type":"session.update","session":{"modalities":["audio","text"],)"
                     R"("input_audio_format":"g711_ulaw","output_audio_format":"g711_ulaw",)"
                     R"("voice":"alloy","turn_detection":{"type":"server_vad"}}})";
  std::string why = check(beta);
  BOOST_TEST(why != "");
  BOOST_TEST(why.find("session.update") != std::string::npos, why);
}

BOOST_AUTO_TEST_CASE(rejects_a_leftover_beta_field_next_to_the_ga_shape) {
  // The schema alone accepts this; the live service says unknown_parameter.
  std::string event = R"({"type":"session.update","session":{"type":"realtime",)"
                      R"("input_audio_format":"g711_ulaw"}})";
  std::string why = check(event);
  BOOST_TEST(why.find("/session/input_audio_format") != std::string::npos, why);
}

BOOST_AUTO_TEST_CASE(rejects_an_audio_format_given_as_a_string) {
  std::string event = R"({"type":"session.update","session":{"type":"realtime",)"
                      R"("audio":{"input":{"format":"audio/pcmu"}}}})";
  std::string why = check(event);
  BOOST_TEST(why != "");
  BOOST_TEST(why.find("session.update") != std::string::npos, why);
}

BOOST_AUTO_TEST_CASE(rejects_turn_detection_of_unknown_type_and_null_previous_item) {
  BOOST_TEST(check(R"({"type":"session.update","session":{"type":"realtime",)"
                   R"("audio":{"input":{"turn_detection":{"type":"magic_vad"}}}}})") != "");
  BOOST_TEST(
      check(
          R"({"type":"conversation.item.create","previous_item_id":null,)"
          R"("item":{"type":"message","role":"user","content":[{"type":"input_text","text":"x"}]}})") !=
      "");
}

BOOST_AUTO_TEST_CASE(accepts_semantic_vad_and_null_tracing) {
  // const -> enum and nullable -> anyOf null rewrites at work.
  BOOST_TEST(
      check(
          R"({"type":"session.update","session":{"type":"realtime","tracing":null,)"
          R"("audio":{"input":{"turn_detection":{"type":"semantic_vad","eagerness":"auto"}}}}})") ==
      "");
}

BOOST_AUTO_TEST_CASE(rejects_unknown_types_and_non_json) {
  BOOST_TEST(check(R"({"type":"transcription_session.update","session":{}})") != "");
  BOOST_TEST(check("not json") != "");
  BOOST_TEST(check(R"({"audio":"x"})") != "");
  BOOST_TEST(check(R"({"type":"input_audio_buffer.append"})") != ""); // audio required
}

BOOST_AUTO_TEST_CASE(reports_undeclared_fields_inside_items) {
  std::string why =
      check(R"({"type":"conversation.item.create","item":{"type":"function_call_output",)"
            R"("call_id":"c","output":"x","result":"x"}})");
  BOOST_TEST(why.find("/item/result") != std::string::npos, why);
}

BOOST_AUTO_TEST_CASE(server_events_validate_too) {
  const auto& schema = realtime_schema::instance();
  BOOST_TEST(
      schema.check_server_event(R"({"type":"input_audio_buffer.speech_started","event_id":"e1",)"
                                R"("audio_start_ms":1000,"item_id":"msg_003"})") == "");
  BOOST_TEST(
      schema.check_server_event(R"({"type":"input_audio_buffer.speech_started","event_id":"e1",)"
                                R"("audio_start_ms":"soon","item_id":"msg_003"})") != "");
  BOOST_TEST(schema.check_server_event(R"({"type":"session.update","session":{}})") != "");
}
