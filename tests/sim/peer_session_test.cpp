#include "sim/peer_session.hpp"

#define BOOST_TEST_MODULE sim_peer_session
#include <boost/test/unit_test.hpp>

#include "protocol/base64.hpp"
#include "protocol/realtime.hpp"
#include "tests/support/schema_check.hpp"

using namespace sb::sim;

namespace {

const clip_library& clips() {
  static clip_library lib = *clip_library::load_default();
  return lib;
}

struct fixture {
  std::vector<call_script> scripts{demo_script("+15550002222", "2030-01-02"),
                                   demo_script("+15550003333", "2030-01-02")};
  std::shared_ptr<peer_shared> shared = std::make_shared<peer_shared>();
  peer_session_config cfg{&clips(), &scripts, 100, -1};
  std::vector<sb::proto::rt_event> seen; ///< every event sent, parsed

  /// Sends `frame`, returns the events it produced (each checked against the schema).
  std::vector<sb::proto::rt_event> send(peer_session& s, const std::string& frame) {
    s.on_text(frame);
    return drain(s);
  }
  std::vector<sb::proto::rt_event> drain(peer_session& s) {
    std::vector<sb::proto::rt_event> out;
    for (const auto& f : s.take_output()) {
      BOOST_TEST_INFO(f.substr(0, 300));
      BOOST_TEST(sb::test::realtime_schema::instance().check_server_event(f) == "");
      auto e = sb::proto::parse_server_event(f);
      BOOST_REQUIRE(e.ok());
      out.push_back(*e);
      seen.push_back(*e);
    }
    return out;
  }
  /// Ticks until the active response's audio is all sent.
  std::vector<sb::proto::rt_event> stream_all(peer_session& s) {
    std::vector<sb::proto::rt_event> out;
    for (int i = 0; i < 1000 && s.streaming(); ++i) {
      s.tick();
      for (auto& e : drain(s))
        out.push_back(e);
    }
    return out;
  }
  /// Speaks `clip` then `silence_ms` of mu-law silence, in 20 ms appends.
  std::vector<sb::proto::rt_event> speak(peer_session& s, const std::string& clip,
                                         int silence_ms = 700) {
    std::string audio = clip.empty() ? std::string() : *clips().get(clip);
    audio += std::string(static_cast<std::size_t>(silence_ms) * 8, '\xFF');
    std::vector<sb::proto::rt_event> out;
    for (std::size_t i = 0; i < audio.size(); i += 160)
      for (auto& e : send(s, sb::proto::build_input_audio_append(
                                 sb::proto::base64_encode(audio.substr(i, 160)))))
        out.push_back(e);
    return out;
  }
  peer_session configured(const std::string& number = "+15550002222") {
    peer_session s(cfg, shared);
    s.open();
    drain(s);
    sb::proto::session_params p;
    p.instructions = "You answer for Bright Plumbing. Caller number: " + number + ".";
    auto ev = send(s, sb::proto::build_session_update(p));
    BOOST_REQUIRE(!ev.empty());
    BOOST_REQUIRE(ev[0].type_name == "session.updated");
    return s;
  }
};

std::vector<std::string> types(const std::vector<sb::proto::rt_event>& evs) {
  std::vector<std::string> t;
  for (auto& e : evs)
    t.push_back(e.type_name);
  return t;
}

const sb::proto::rt_event* find(const std::vector<sb::proto::rt_event>& evs,
                                const std::string& type) {
  for (auto& e : evs)
    if (e.type_name == type)
      return &e;
  return nullptr;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(peer_session_suite, fixture)

BOOST_AUTO_TEST_CASE(sends_a_schema_valid_session_created_on_open) {
  peer_session s(cfg, shared);
  s.open();
  auto ev = drain(s);
  BOOST_REQUIRE_EQUAL(ev.size(), 1u);
  BOOST_TEST(ev[0].type_name == "session.created");
  BOOST_TEST(shared->stats().connections == 1);
}

BOOST_AUTO_TEST_CASE(rejects_session_update_without_session_type) {
  peer_session s(cfg, shared);
  s.open();
  drain(s);
  auto ev = send(s, R"({"type":"session.update","session":{"instructions":"hi"}})");
  BOOST_REQUIRE_EQUAL(ev.size(), 1u);
  BOOST_TEST(ev[0].error_code == "missing_required_parameter");
  BOOST_TEST(ev[0].error_message.find("session.type") != std::string::npos);
  BOOST_TEST(shared->stats().sessions_configured == 0);
}

BOOST_AUTO_TEST_CASE(rejects_a_string_audio_format) {
  peer_session s(cfg, shared);
  s.open();
  drain(s);
  auto ev = send(s, R"({"type":"session.update","session":{"type":"realtime",
    "audio":{"input":{"format":"g711_ulaw"}}}})");
  BOOST_REQUIRE_EQUAL(ev.size(), 1u);
  BOOST_TEST(ev[0].error_code == "invalid_type");
}

BOOST_AUTO_TEST_CASE(rejects_beta_flat_session_fields) {
  peer_session s(cfg, shared);
  s.open();
  drain(s);
  auto ev = send(s, R"({"type":"session.update","session":{"type":"realtime",
    "input_audio_format":"g711_ulaw"}})");
  BOOST_REQUIRE_EQUAL(ev.size(), 1u);
  BOOST_TEST(ev[0].error_code == "unknown_parameter");
  BOOST_TEST(ev[0].error_message == "Unknown parameter: 'session.input_audio_format'.");
}

BOOST_AUTO_TEST_CASE(answers_the_beta_header_with_an_error_and_closes) {
  peer_session s(cfg, shared);
  s.reject_beta();
  auto ev = drain(s);
  BOOST_REQUIRE_EQUAL(ev.size(), 1u);
  BOOST_TEST(ev[0].error_code == "beta_api_shape_disabled");
  BOOST_TEST(s.wants_close());
}

BOOST_AUTO_TEST_CASE(picks_the_script_by_the_caller_number_in_the_instructions) {
  auto s = configured("+15550003333");
  BOOST_REQUIRE(s.script());
  BOOST_TEST(s.script()->caller_number == "+15550003333");
  BOOST_TEST(shared->stats().sessions_configured == 1);
}

BOOST_AUTO_TEST_CASE(vad_hears_a_clip_but_not_silence) {
  auto s = configured();
  auto quiet = speak(s, "", 3000);
  BOOST_TEST(!find(quiet, "input_audio_buffer.speech_started"));
  auto ev = speak(s, "caller_1");
  auto started = find(ev, "input_audio_buffer.speech_started");
  auto stopped = find(ev, "input_audio_buffer.speech_stopped");
  BOOST_REQUIRE(started);
  BOOST_REQUIRE(stopped);
  const int64_t clip_ms = static_cast<int64_t>(clips().get("caller_1")->size() / 8);
  BOOST_TEST(started->audio_start_ms >= 3000);
  BOOST_TEST(started->audio_start_ms < 3300);
  BOOST_TEST(stopped->audio_end_ms > 3000 + clip_ms - 600);
  BOOST_TEST(stopped->audio_end_ms <= 3000 + clip_ms);
  BOOST_TEST(shared->stats().audio_bytes_received ==
             static_cast<int64_t>(3000 * 8 + clips().get("caller_1")->size() + 700 * 8));
}

BOOST_AUTO_TEST_CASE(a_scripted_turn_makes_its_call_then_speaks_the_reply) {
  auto s = configured();
  auto greet = send(s, sb::proto::build_response_create("Say exactly: \"Thanks for calling.\""));
  BOOST_REQUIRE(find(greet, "response.created"));
  auto g = stream_all(s);
  BOOST_REQUIRE(find(g, "response.output_audio_transcript.done"));
  BOOST_TEST(find(g, "response.output_audio_transcript.done")->text == "Thanks for calling.");
  BOOST_TEST(find(g, "response.done")->response_status == "completed");

  auto ev = speak(s, "caller_1");
  std::vector<std::string> expected = {"input_audio_buffer.speech_started",
                                       "input_audio_buffer.speech_stopped",
                                       "input_audio_buffer.committed",
                                       "conversation.item.added",
                                       "conversation.item.done",
                                       "conversation.item.input_audio_transcription.completed",
                                       "response.created",
                                       "response.output_item.added",
                                       "conversation.item.added",
                                       "response.function_call_arguments.done",
                                       "response.output_item.done",
                                       "conversation.item.done",
                                       "response.done"};
  BOOST_TEST(types(ev) == expected, boost::test_tools::per_element());
  BOOST_TEST(find(ev, "conversation.item.input_audio_transcription.completed")->text ==
             "Hi, my kitchen sink is leaking under the cabinet.");
  auto call = *find(ev, "response.function_call_arguments.done");
  BOOST_TEST(call.name == "record_booking_details");
  BOOST_TEST(call.arguments == R"({"service":"Leaking kitchen sink","urgency":"urgent"})");
  BOOST_TEST(!s.streaming()); // waits for the function output

  send(s, sb::proto::build_function_call_output(call.call_id, R"({"ok":true})"));
  auto reply = send(s, sb::proto::build_response_create());
  BOOST_REQUIRE(find(reply, "response.output_item.added"));
  const std::string item_id = find(reply, "response.output_item.added")->item_id;
  auto audio = stream_all(s);
  std::size_t bytes = 0;
  for (auto& e : audio)
    if (e.type_name == "response.output_audio.delta") {
      BOOST_TEST(e.item_id == item_id);
      bytes += sb::proto::base64_decode(e.delta)->size();
    }
  BOOST_TEST(bytes == clips().get("reply_1")->size());
  BOOST_TEST(find(audio, "response.output_audio_transcript.done")->text ==
             "I'm sorry to hear that. Can I get your name and the address?");
  auto done = find(audio, "response.done");
  BOOST_TEST(done->response_status == "completed");
  BOOST_TEST(done->usage.output_audio > 0);
  BOOST_TEST(!find(audio, "response.function_call_arguments.done"));
}

BOOST_AUTO_TEST_CASE(a_response_create_during_a_call_gets_the_one_moment_filler) {
  auto s = configured();
  send(s, sb::proto::build_response_create());
  stream_all(s);
  speak(s, "caller_1");
  auto ev = send(s, sb::proto::build_response_create());
  BOOST_REQUIRE(s.streaming());
  auto rest = stream_all(s);
  BOOST_TEST(find(rest, "response.output_audio_transcript.done")->text ==
             "One moment while I check that for you.");
  auto again = send(s, sb::proto::build_response_create());
  BOOST_TEST(find(again, "response.created")); // still no output: another filler
  auto busy = send(s, sb::proto::build_response_create());
  BOOST_TEST(find(busy, "error")->error_code == "conversation_already_has_active_response");
}

BOOST_AUTO_TEST_CASE(cancel_without_a_response_is_an_error) {
  auto s = configured();
  auto ev = send(s, sb::proto::build_response_cancel());
  BOOST_REQUIRE_EQUAL(ev.size(), 1u);
  BOOST_TEST(ev[0].error_code == "response_cancel_not_active");
}

BOOST_AUTO_TEST_CASE(cancel_during_audio_ends_the_response_cancelled) {
  auto s = configured();
  send(s, sb::proto::build_response_create());
  s.tick();
  drain(s);
  auto ev = send(s, sb::proto::build_response_cancel());
  BOOST_TEST(find(ev, "response.done")->response_status == "cancelled");
  BOOST_TEST(!s.streaming());
  BOOST_TEST(shared->stats().cancels == 1);
}

BOOST_AUTO_TEST_CASE(truncate_needs_an_assistant_audio_item_and_enough_audio) {
  auto s = configured();
  auto unknown = send(s, sb::proto::build_truncate("item_nope", 0, 100));
  BOOST_REQUIRE_EQUAL(unknown.size(), 1u);
  BOOST_TEST(unknown[0].error_code == "invalid_value");
  BOOST_TEST(unknown[0].error_message == "Only model output audio messages can be truncated");
  auto created = send(s, sb::proto::build_response_create());
  const std::string item_id = find(created, "response.output_item.added")->item_id;
  s.tick(); // 100 ms sent
  s.tick(); // 200 ms sent
  drain(s);
  auto too_long = send(s, sb::proto::build_truncate(item_id, 0, 5000));
  BOOST_TEST(too_long.at(0).error_code == "invalid_value");
  auto ok = send(s, sb::proto::build_truncate(item_id, 0, 150));
  BOOST_REQUIRE(find(ok, "conversation.item.truncated"));
  BOOST_TEST(find(ok, "conversation.item.truncated")->audio_end_ms == 150);
  BOOST_TEST(shared->stats().truncates == 1);
  BOOST_TEST(shared->stats().truncate_audio_end_ms == std::vector<int64_t>{150});
}

BOOST_AUTO_TEST_CASE(caller_speech_interrupts_the_assistant) {
  auto s = configured();
  send(s, sb::proto::build_response_create());
  s.tick();
  drain(s);
  auto ev = speak(s, "caller_1", 0);
  BOOST_REQUIRE(find(ev, "input_audio_buffer.speech_started"));
  auto done = find(ev, "response.done");
  BOOST_REQUIRE(done);
  BOOST_TEST(done->response_status == "cancelled");
  BOOST_TEST(!s.streaming());
  // The cut item's transcript is ended too, as the service does ("Also
  // emitted when a Response is interrupted, incomplete, or cancelled":
  // OpenAI's schema, tests/data/openai/): the bridge stores the turn from it.
  auto said = find(ev, "response.output_audio_transcript.done");
  BOOST_REQUIRE(said);
  auto item = find(ev, "response.output_item.done");
  BOOST_REQUIRE(item);
  BOOST_TEST(said->item_id == item->item_id);
  BOOST_TEST(!said->text.empty());
}

BOOST_AUTO_TEST_CASE(unknown_and_malformed_events_are_errors_that_keep_the_session) {
  auto s = configured();
  auto unknown = send(s, R"({"type":"session.frobnicate"})");
  BOOST_TEST(unknown.at(0).error_code == "invalid_value");
  BOOST_TEST(unknown.at(0).error_message.find("Invalid value: 'session.frobnicate'") == 0);
  BOOST_TEST(send(s, "{not json").at(0).error_code == "invalid_json");
  BOOST_TEST(send(s, R"({"type":"input_audio_buffer.append","audio":"@@@"})").at(0).error_code ==
             "invalid_value");
  BOOST_TEST(!s.wants_close());
  BOOST_TEST(find(send(s, sb::proto::build_response_create()), "response.created"));
}

BOOST_AUTO_TEST_CASE(replayed_history_continues_the_script_at_the_next_turn) {
  auto s = configured();
  auto add = [&](const std::string& frame) { return send(s, frame); };
  add(sb::proto::build_message_item("assistant", "Thanks for calling Bright Plumbing."));
  add(sb::proto::build_message_item("user", "Hi, my kitchen sink is leaking under the cabinet."));
  add(sb::proto::build_function_call_item("call_1", "record_booking_details", "{}"));
  add(sb::proto::build_function_call_output("call_1", R"({"ok":true})"));
  auto added = add(sb::proto::build_message_item("assistant", "Can I get your name?"));
  BOOST_TEST(find(added, "conversation.item.added"));
  auto ev = speak(s, "caller_2");
  BOOST_TEST(find(ev, "conversation.item.input_audio_transcription.completed")->text ==
             "Sure, I'm Jane Doe, at 42 Elm Street, Springfield.");
  BOOST_TEST(find(ev, "response.function_call_arguments.done")->arguments ==
             R"({"customer_name":"Jane Doe","address":"42 Elm Street, Springfield"})");
}

BOOST_AUTO_TEST_CASE(a_reconnect_mid_turn_finishes_the_turn) {
  auto s = configured();
  send(s,
       sb::proto::build_message_item("user", "Hi, my kitchen sink is leaking under the cabinet."));
  send(s, sb::proto::build_function_call_item("call_1", "record_booking_details", "{}"));
  send(s, sb::proto::build_function_call_output("call_1", R"({"ok":true})"));
  send(s, sb::proto::build_response_create());
  auto audio = stream_all(s);
  BOOST_TEST(find(audio, "response.output_audio_transcript.done")->text ==
             "I'm sorry to hear that. Can I get your name and the address?");
}

BOOST_AUTO_TEST_CASE(the_last_reply_ends_with_an_end_call_in_the_same_response) {
  auto s = configured();
  for (const char* text : {"a", "b", "c"})
    send(s, sb::proto::build_message_item("user", text)),
        send(s, sb::proto::build_message_item("assistant", "reply"));
  auto ev = speak(s, "caller_4");
  BOOST_TEST(find(ev, "conversation.item.input_audio_transcription.completed")->text ==
             "Great, thank you. Bye.");
  auto audio = stream_all(s);
  std::vector<std::string> t = types(audio);
  auto audio_done = std::find(t.begin(), t.end(), "response.output_audio.done");
  auto end_call = std::find(t.begin(), t.end(), "response.function_call_arguments.done");
  BOOST_REQUIRE(audio_done != t.end());
  BOOST_REQUIRE(end_call != t.end());
  BOOST_TEST((audio_done < end_call));
  BOOST_TEST(find(audio, "response.function_call_arguments.done")->name == "end_call");
  BOOST_TEST(t.back() == "response.done");
}

BOOST_AUTO_TEST_CASE(drops_only_the_first_connection_of_a_caller) {
  cfg.drop_after_responses = 1;
  auto first = configured();
  send(first, sb::proto::build_response_create());
  stream_all(first);
  BOOST_TEST(first.wants_drop());
  auto second = configured();
  send(second, sb::proto::build_response_create());
  stream_all(second);
  BOOST_TEST(!second.wants_drop());
}

BOOST_AUTO_TEST_SUITE_END()
