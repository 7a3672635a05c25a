#include "protocol/realtime.hpp"

#define BOOST_TEST_MODULE realtime_parse
#include <boost/test/unit_test.hpp>

using namespace sb::proto;

namespace {

// Server events in the GA shape (OpenAI Realtime API reference, server events).
constexpr std::string_view session_created = R"({
  "type": "session.created",
  "event_id": "event_C9G5RJeJ2gF77mV7f2B1j",
  "session": {
    "type": "realtime", "object": "realtime.session", "id": "sess_C9G5QPteg4UIbotdKLoYQ",
    "model": "gpt-realtime-2025-08-28", "output_modalities": ["audio"],
    "instructions": "Your knowledge cutoff is 2023-10.",
    "tools": [], "tool_choice": "auto", "max_output_tokens": "inf", "tracing": null,
    "prompt": null, "expires_at": 1756324625,
    "audio": {
      "input": {"format": {"type": "audio/pcm", "rate": 24000}, "transcription": null,
                "noise_reduction": null,
                "turn_detection": {"type": "server_vad", "threshold": 0.5, "prefix_padding_ms": 300,
                                   "silence_duration_ms": 200, "idle_timeout_ms": null,
                                   "create_response": true, "interrupt_response": true}},
      "output": {"format": {"type": "audio/pcm", "rate": 24000}, "voice": "marin", "speed": 1}
    },
    "include": null
  }
})";

constexpr std::string_view audio_delta =
    R"({"type":"response.output_audio.delta",)"
    R"("event_id":"event_3344","response_id":"resp_001","item_id":"item_001","output_index":0,)"
    R"("content_index":0,"delta":"/37+fYAA/w=="})";

constexpr std::string_view function_args_done = R"({
  "type": "response.function_call_arguments.done",
  "event_id": "event_3456", "response_id": "resp_002", "item_id": "fc_001",
  "output_index": 0, "call_id": "call_001", "name": "end_call",
  "arguments": "{\"reason\": \"caller said goodbye\"}"
})";

constexpr std::string_view response_done = R"({
  "type": "response.done",
  "event_id": "event_3132",
  "response": {
    "id": "resp_001", "object": "realtime.response", "status": "completed",
    "status_details": null,
    "output": [{"id": "msg_006", "object": "realtime.item", "type": "message", "status": "completed",
                "role": "assistant",
                "content": [{"type": "output_audio", "transcript": "Hello! How can I help?"}]}],
    "conversation_id": "conv_C9G5QPteg4UIbotdKLoYQ",
    "output_modalities": ["audio"], "max_output_tokens": "inf",
    "audio": {"output": {"format": {"type": "audio/pcmu"}, "voice": "marin"}},
    "usage": {
      "total_tokens": 253, "input_tokens": 132, "output_tokens": 121,
      "input_token_details": {"text_tokens": 119, "audio_tokens": 13, "image_tokens": 0,
                              "cached_tokens": 64,
                              "cached_tokens_details": {"text_tokens": 64, "audio_tokens": 0, "image_tokens": 0}},
      "output_token_details": {"text_tokens": 30, "audio_tokens": 91}
    },
    "metadata": null
  }
})";

constexpr std::string_view error_event = R"({
  "type": "error", "event_id": "event_890",
  "error": {"type": "invalid_request_error", "code": "invalid_event",
            "message": "The 'type' field is missing.", "param": null, "event_id": "event_567"}
})";

constexpr std::string_view speech_started =
    R"({"type":"input_audio_buffer.speech_started",)"
    R"("event_id":"event_1516","audio_start_ms":1000,"item_id":"msg_003"})";

constexpr std::string_view speech_stopped =
    R"({"type":"input_audio_buffer.speech_stopped",)"
    R"("event_id":"event_1718","audio_end_ms":2000,"item_id":"msg_003"})";

constexpr std::string_view transcript_completed = R"({
  "type": "conversation.item.input_audio_transcription.completed",
  "event_id": "event_CCXGRvtUVrax5SJAnNOWZ", "item_id": "item_CCXGQ4e1ht4cOraEYcuR2",
  "content_index": 0, "transcript": "Hey, can you hear me?",
  "usage": {"type": "tokens", "total_tokens": 22, "input_tokens": 13,
            "input_token_details": {"text_tokens": 0, "audio_tokens": 13}, "output_tokens": 9}
})";

constexpr std::string_view output_item_done_call = R"({
  "type": "response.output_item.done", "event_id": "event_CCXHxcBL1hNYF9I9zhJOU",
  "response_id": "resp_CCXHw3Kt4ra7hGmeDDpGW", "output_index": 0,
  "item": {"id": "item_CCXHwGjjDUfOXbiySlK7i", "type": "function_call", "status": "completed",
           "name": "transfer_call", "call_id": "call_Tcn6", "arguments": "{\"to\":\"+15550000000\"}",
           "object": "realtime.item"}
})";

constexpr std::string_view item_added_user = R"({
  "type": "conversation.item.added", "event_id": "event_C9G8pjSJCfRNEhMEnYAVy",
  "previous_item_id": null,
  "item": {"id": "item_C9G8pGVKYnaZu8PH5YQ9O", "type": "message", "status": "completed",
           "role": "user", "content": [{"type": "input_text", "text": "hi"}], "object": "realtime.item"}
})";

rt_event parse_ok(std::string_view text) {
  auto r = parse_server_event(text);
  BOOST_REQUIRE_MESSAGE(r.ok(), "parse failed: " << (r.ok() ? "" : r.err().code));
  return *r;
}

} // namespace

BOOST_AUTO_TEST_CASE(parses_session_created) {
  auto e = parse_ok(session_created);
  BOOST_TEST((e.type == rt_type::session_created));
  BOOST_TEST(e.type_name == "session.created");
  BOOST_TEST(e.event_id == "event_C9G5RJeJ2gF77mV7f2B1j");
}

BOOST_AUTO_TEST_CASE(parses_output_audio_delta) {
  auto e = parse_ok(audio_delta);
  BOOST_TEST((e.type == rt_type::output_audio_delta));
  BOOST_TEST(e.item_id == "item_001");
  BOOST_TEST(e.response_id == "resp_001");
  BOOST_TEST(e.content_index == 0);
  BOOST_TEST(e.delta == "/37+fYAA/w==");
}

BOOST_AUTO_TEST_CASE(parses_function_call_arguments_done) {
  auto e = parse_ok(function_args_done);
  BOOST_TEST((e.type == rt_type::function_args_done));
  BOOST_TEST(e.call_id == "call_001");
  BOOST_TEST(e.name == "end_call");
  BOOST_TEST(e.arguments == R"({"reason": "caller said goodbye"})");
  BOOST_TEST(e.item_id == "fc_001");
}

BOOST_AUTO_TEST_CASE(parses_response_done_with_usage) {
  auto e = parse_ok(response_done);
  BOOST_TEST((e.type == rt_type::response_done));
  BOOST_TEST(e.response_id == "resp_001");
  BOOST_TEST(e.response_status == "completed");
  BOOST_TEST(e.usage.input_text == 119);
  BOOST_TEST(e.usage.input_audio == 13);
  BOOST_TEST(e.usage.input_cached == 64);
  BOOST_TEST(e.usage.input_cached_text == 64); // cached_tokens_details: the price differs by kind
  BOOST_TEST(e.usage.input_cached_audio == 0);
  BOOST_TEST(e.usage.output_text == 30);
  BOOST_TEST(e.usage.output_audio == 91);
}

BOOST_AUTO_TEST_CASE(parses_error) {
  auto e = parse_ok(error_event);
  BOOST_TEST((e.type == rt_type::error));
  BOOST_TEST(e.error_type == "invalid_request_error");
  BOOST_TEST(e.error_code == "invalid_event");
  BOOST_TEST(e.error_message == "The 'type' field is missing.");
  auto null_code =
      parse_ok(R"({"type":"error","error":{"type":"server_error","code":null,"message":"x"}})");
  BOOST_TEST(null_code.error_code == "");
  BOOST_TEST(null_code.error_type == "server_error");
}

BOOST_AUTO_TEST_CASE(parses_speech_started_and_stopped) {
  auto s = parse_ok(speech_started);
  BOOST_TEST((s.type == rt_type::speech_started));
  BOOST_TEST(s.audio_start_ms == 1000);
  BOOST_TEST(s.audio_end_ms == -1);
  BOOST_TEST(s.item_id == "msg_003");
  auto t = parse_ok(speech_stopped);
  BOOST_TEST((t.type == rt_type::speech_stopped));
  BOOST_TEST(t.audio_end_ms == 2000);
}

BOOST_AUTO_TEST_CASE(parses_input_transcription_completed) {
  auto e = parse_ok(transcript_completed);
  BOOST_TEST((e.type == rt_type::input_transcript_completed));
  BOOST_TEST(e.text == "Hey, can you hear me?");
  BOOST_TEST(e.item_id == "item_CCXGQ4e1ht4cOraEYcuR2");
  BOOST_TEST((e.usage.input_audio == 0)); // transcription usage is not response usage
}

BOOST_AUTO_TEST_CASE(output_item_done_with_a_function_call_fills_the_call) {
  auto e = parse_ok(output_item_done_call);
  BOOST_TEST((e.type == rt_type::output_item_done));
  BOOST_TEST(e.item_type == "function_call");
  BOOST_TEST(e.item_id == "item_CCXHwGjjDUfOXbiySlK7i");
  BOOST_TEST(e.call_id == "call_Tcn6");
  BOOST_TEST(e.name == "transfer_call");
  BOOST_TEST(e.arguments == R"({"to":"+15550000000"})");
}

BOOST_AUTO_TEST_CASE(item_added_fills_item_type_role_and_id) {
  auto e = parse_ok(item_added_user);
  BOOST_TEST((e.type == rt_type::item_added));
  BOOST_TEST(e.item_type == "message");
  BOOST_TEST(e.item_role == "user");
  BOOST_TEST(e.item_id == "item_C9G8pGVKYnaZu8PH5YQ9O");
  BOOST_TEST(e.call_id == "");
}

BOOST_AUTO_TEST_CASE(output_transcript_done_carries_the_text) {
  auto e = parse_ok(R"({"type":"response.output_audio_transcript.done","item_id":"i1",)"
                    R"("response_id":"r1","content_index":0,"transcript":"Bye now."})");
  BOOST_TEST((e.type == rt_type::output_transcript_done));
  BOOST_TEST(e.text == "Bye now.");
  auto d =
      parse_ok(R"({"type":"response.output_audio_transcript.delta","item_id":"i1","delta":"Bye"})");
  BOOST_TEST((d.type == rt_type::output_transcript_delta));
  BOOST_TEST(d.delta == "Bye");
}

BOOST_AUTO_TEST_CASE(an_unknown_type_parses_as_unknown) {
  auto e = parse_ok(R"({"type":"response.output_text.delta","delta":"x"})");
  BOOST_TEST((e.type == rt_type::unknown));
  BOOST_TEST(e.type_name == "response.output_text.delta");
}

BOOST_AUTO_TEST_CASE(every_handled_type_name_maps_to_its_enum) {
  const std::pair<std::string_view, rt_type> names[] = {
      {"session.updated", rt_type::session_updated},
      {"input_audio_buffer.committed", rt_type::audio_committed},
      {"input_audio_buffer.timeout_triggered", rt_type::audio_timeout},
      {"conversation.item.done", rt_type::item_done},
      {"conversation.item.input_audio_transcription.delta", rt_type::input_transcript_delta},
      {"conversation.item.input_audio_transcription.failed", rt_type::input_transcript_failed},
      {"response.created", rt_type::response_created},
      {"response.output_item.added", rt_type::output_item_added},
      {"response.output_audio.done", rt_type::output_audio_done},
      {"response.function_call_arguments.delta", rt_type::function_args_delta},
      {"rate_limits.updated", rt_type::rate_limits_updated},
  };
  for (const auto& [name, type] : names) {
    auto e = parse_ok(R"({"type":")" + std::string(name) + "\"}");
    BOOST_TEST((e.type == type), name);
  }
}

BOOST_AUTO_TEST_CASE(rejects_malformed_json_and_missing_type) {
  for (std::string_view bad : {"", "[", "[1]", R"({"type":"error"}})", "{'type':'error'}"}) {
    auto r = parse_server_event(bad);
    BOOST_REQUIRE(!r.ok());
    BOOST_TEST(r.err().code == "malformed_json");
  }
  for (std::string_view bad : {"{}", R"({"type":5})", R"({"type":null})"}) {
    auto r = parse_server_event(bad);
    BOOST_REQUIRE(!r.ok());
    BOOST_TEST(r.err().code == "missing_field");
  }
}

BOOST_AUTO_TEST_CASE(wrong_field_types_and_huge_numbers_do_not_crash) {
  auto e = parse_ok(
      R"({"type":"response.done","response":{"status":7,"usage":{)"
      R"("input_token_details":{"text_tokens":1e300,"audio_tokens":"12","cached_tokens":-1},)"
      R"("output_token_details":[]}},"item_id":{},"delta":null,"content_index":99999999999,)"
      R"("audio_start_ms":18446744073709551615})");
  BOOST_TEST(e.response_status == "");
  BOOST_TEST(e.usage.input_text == 0);
  BOOST_TEST(e.usage.input_audio == 12);
  BOOST_TEST(e.usage.input_cached == -1);
  BOOST_TEST(e.item_id == "");
  BOOST_TEST(e.content_index == 0);
  BOOST_TEST(e.audio_start_ms == -1);
}

BOOST_AUTO_TEST_CASE(client_event_type_names_the_event) {
  BOOST_TEST(*client_event_type(R"({"type":"session.update","session":{}})") == "session.update");
  BOOST_TEST(client_event_type("nope").err().code == "malformed_json");
  BOOST_TEST(client_event_type(R"({"session":{}})").err().code == "missing_field");
}
