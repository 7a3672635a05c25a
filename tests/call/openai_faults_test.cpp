// Issue 3, the OpenAI leg failing: a drop mid-call is survived by
// reconnecting and replaying the conversation; an OpenAI that cannot be
// reached (refused, or a certificate we do not trust) gets the caller
// voicemail (the stream ends, the <Redirect> after it leads to <Record>, the
// recording lands on the call) and a job card for a human to review; with
// voicemail off, a recorded apology.
#include "tests/call/call_fixture.hpp"

#define BOOST_TEST_MODULE e2e_openai_faults
#include <boost/test/unit_test.hpp>

#include "common/log.hpp"

#include <atomic>

using namespace sb;
using namespace sb::test;

namespace {

/// Two turns: the booking is recorded in the first, the assistant hangs up
/// after the second.
sim::call_script two_turn_script(const std::string& number) {
  sim::call_script s;
  s.caller_number = number;
  s.greeting_clip = "one_moment";
  s.turns.push_back(make_turn("Hi, my kitchen sink is leaking under the cabinet.", "caller_1",
                              {full_booking("Dora Drop", "4 Reconnect Road", number)},
                              "Thanks, Jane. When would you like us to come?", "reply_2"));
  s.turns.push_back(
      make_turn("Great, thank you. Bye.", "caller_4", {}, "You're welcome. Goodbye!", "reply_4"));
  return s;
}

/// Gives up on OpenAI quickly: one retry after 100 ms.
void fail_fast(config& c) {
  c.openai.max_reconnects = 1;
  c.openai.reconnect_backoff = 100ms;
  c.openai.connect_timeout = 2000ms;
}

/// The call's job card and record once the receptionist could not speak.
void expect_review(e2e_env& env, const sim::caller_result& r) {
  BOOST_REQUIRE(env.wait_for_no_calls());
  auto call = env.call_record(r.call_sid);
  BOOST_REQUIRE(call.has_value());
  BOOST_TEST(call->end_reason == sb::end_reason::openai_unavailable);
  BOOST_TEST(call->ended_at_ms > 0);
  auto job = env.job(r.call_sid);
  BOOST_REQUIRE(job.has_value());
  BOOST_TEST(job->status == "needs_review");
  BOOST_TEST(job->caller == call->from);
  BOOST_TEST(env.peer().stats().sessions_configured == 0);
}

/// Voicemail, end to end: the stream ended at once (no apology played), the
/// caller was redirected, heard the prompt, left a message, and its
/// recording is stored on the call.
void expect_voicemail(e2e_env& env, const sim::caller_result& r) {
  BOOST_TEST_INFO("caller error: " << r.error);
  BOOST_TEST(r.ok);
  BOOST_TEST(r.stream_cut);
  BOOST_TEST(r.bytes_received == 0);
  BOOST_TEST((r.verbs ==
              std::vector<std::string>{"Connect", "Redirect", "Say", "Record", "Say", "Hangup"}));
  BOOST_REQUIRE(r.said.size() == 2);
  BOOST_TEST(r.said[0] == config{}.voicemail.prompt);
  BOOST_TEST(r.said[1] == config{}.voicemail.goodbye);
  BOOST_TEST(!r.recording_url.empty());
  BOOST_TEST(r.recording_callback_status == 200);
  expect_review(env, r);
  auto call = env.call_record(r.call_sid);
  BOOST_TEST(call->recording_url == r.recording_url);
  BOOST_TEST(call->recording_duration_s == r.recording_duration_s);
  // The job card is a voicemail with the recording, and the business got a
  // second push with it (the first came with the job card at the call's end).
  auto job = env.job(r.call_sid);
  BOOST_TEST(job->kind == "voicemail");
  BOOST_TEST(job->recording_url == r.recording_url);
  BOOST_TEST(job->recording_duration_s == r.recording_duration_s);
  BOOST_TEST(job->summary.find("Voicemail") == 0u, job->summary);
  BOOST_REQUIRE(env.wait_for_pushes(2, 10s));
  auto pushes = env.pushes();
  BOOST_TEST(pushes[0].find("\"type\":\"job.created\"") != std::string::npos, pushes[0]);
  BOOST_TEST(pushes[1].find("\"type\":\"voicemail.recorded\"") != std::string::npos, pushes[1]);
  BOOST_TEST(pushes[1].find(r.recording_url) != std::string::npos, pushes[1]);
}

/// What an "OpenAI is unreachable" call ends with when voicemail is off.
void expect_apology_and_review(e2e_env& env, const sim::caller_result& r) {
  // The caller heard something (the recorded apology), then the server hung up.
  BOOST_TEST(r.bytes_received > 0);
  BOOST_TEST(r.server_hung_up);
  expect_review(env, r);
}

/// A call whose OpenAI connection dropped after the booking tool call: it
/// reconnected and completed, with the whole job card and each caller turn
/// stored once.
void expect_reconnected_call(e2e_env& env, const sim::call_script& script) {
  auto r = env.call(script);
  BOOST_TEST_INFO("caller error: " << r.error);
  BOOST_TEST(r.ok);
  BOOST_REQUIRE(env.wait_for_no_calls());
  auto stats = env.peer().stats();
  BOOST_TEST(stats.connections >= 2);
  BOOST_TEST(stats.sessions_configured >= 2);

  auto call = env.call_record(r.call_sid);
  BOOST_REQUIRE(call.has_value());
  BOOST_TEST(call->openai_reconnects >= 1);
  BOOST_TEST(call->end_reason == sb::end_reason::assistant_hangup);
  BOOST_TEST(call->status == sb::call_status::completed);
  auto job = env.job(r.call_sid);
  BOOST_REQUIRE(job.has_value());
  BOOST_TEST(job->status == "new");
  for (const auto& [field, value] : expected_booking(script)) {
    BOOST_TEST_INFO("field " << field);
    BOOST_TEST(booking_field(job->details, field) == value);
  }
  // The caller's words made it into the transcript once each.
  auto turns = env.turns(r.call_sid);
  for (const auto& t : script.turns)
    BOOST_TEST(std::count_if(turns.begin(), turns.end(), [&](const auto& s) {
                 return s.role == sb::speaker::caller && s.text == t.caller_text;
               }) == 1);
  BOOST_TEST(first_invalid_client_event(env.peer().client_events()) == "");
}

} // namespace

BOOST_AUTO_TEST_CASE(openai_drop_mid_call_reconnects_and_completes) {
  auto script = two_turn_script("+15557650004");
  // Responses: the greeting, then the record_booking_details call: the
  // connection drops right after it, with the tool call outstanding.
  e2e_env env({.scripts = {script}, .drop_after_responses = 2});
  expect_reconnected_call(env, script);
}

// Issue 14.5: a reset loses the events the peer had not sent yet (here the
// caller turn's transcript and the tool call): the relay resends the caller
// audio the lost session never answered (media_relay::detach_openai).
// Before that fix the call ended caller_silent with no caller turn stored.
BOOST_AUTO_TEST_CASE(openai_tcp_reset_mid_call_reconnects_and_completes) {
  // Issue 14.5: the same drop as a TCP reset (RST, no close frame, no FIN),
  // as a network fault ends it: the session is replaced as on a drop.
  std::atomic<bool> saw_reset{false};
  log::set_sink([&](std::string_view line) {
    if (line.find("reset by peer") != std::string_view::npos)
      saw_reset = true;
  });
  {
    auto script = two_turn_script("+15557650014");
    e2e_env env({.scripts = {script}, .drop_after_responses = 2, .drop_with_reset = true});
    log::set_level(log::level::info); // the socket's close reason is logged at info
    expect_reconnected_call(env, script);
  }
  log::set_sink({});
  BOOST_TEST(saw_reset.load()); // the server's read failed with ECONNRESET
}

// Issue 14.5: OpenAI stays connected but goes silent right after the tool
// call (no event, and our pings go unanswered): after openai.silence_ms the
// session is replaced as on a drop, and the call completes with its card.
// With the watchdog off (silence_ms = 0) this call never gets its answer.
BOOST_AUTO_TEST_CASE(openai_silent_mid_call_is_replaced_and_the_call_completes) {
  std::atomic<bool> saw_silence{false};
  log::set_sink([&](std::string_view line) {
    if (line.find("down (") != std::string_view::npos &&
        line.find("silent for 1000 ms (no event, no pong)") != std::string_view::npos)
      saw_silence = true;
  });
  {
    auto script = two_turn_script("+15557650024");
    e2e_env env({.scripts = {script},
                 .tune = [](config& c) { c.openai.silence = 1000ms; },
                 .tune_peer = [](sim::peer_options& p) { p.silent_after_responses = 2; }});
    log::set_level(log::level::info);
    expect_reconnected_call(env, script);
  }
  log::set_sink({});
  BOOST_TEST(saw_silence.load()); // the reconnect was logged with its reason
}

// Issue 14.5, the other half: OpenAI stays connected and answers our pings,
// but ignores everything after the tool call (its response.create gets no
// event back). The transport watchdog cannot see it; the answer watchdog
// replaces the session after openai.silence_ms. With silence_ms = 0 this call
// never gets its answer.
BOOST_AUTO_TEST_CASE(openai_deaf_to_a_response_request_is_replaced_and_the_call_completes) {
  std::atomic<bool> saw_deaf{false};
  log::set_sink([&](std::string_view line) {
    if (line.find("down (") != std::string_view::npos &&
        line.find("no answer to response.create for 1000 ms") != std::string_view::npos)
      saw_deaf = true;
  });
  {
    auto script = two_turn_script("+15557650025");
    e2e_env env({.scripts = {script},
                 .tune = [](config& c) { c.openai.silence = 1000ms; },
                 .tune_peer = [](sim::peer_options& p) { p.deaf_after_responses = 2; }});
    log::set_level(log::level::info);
    expect_reconnected_call(env, script);
  }
  log::set_sink({});
  BOOST_TEST(saw_deaf.load()); // the reconnect was logged with its reason
}

BOOST_AUTO_TEST_CASE(openai_unreachable_at_start_sends_the_caller_to_voicemail) {
  auto script = short_booking_script("+15557650005");
  e2e_env env({.scripts = {script}, .refuse_connections = true, .tune = fail_fast});
  auto options = env.caller_for(script);
  options.expect_stream_cut = true;
  auto r = env.call(std::move(options));
  expect_voicemail(env, r);
  BOOST_TEST(env.peer().stats().connections == 0); // every upgrade refused
}

BOOST_AUTO_TEST_CASE(with_voicemail_off_the_caller_hears_the_apology) {
  auto script = short_booking_script("+15557650012");
  e2e_env env({.scripts = {script}, .refuse_connections = true, .tune = [](config& c) {
                 fail_fast(c);
                 c.voicemail.enabled = false;
               }});
  auto r = env.call(script);
  expect_apology_and_review(env, r);
  BOOST_TEST((r.verbs == std::vector<std::string>{"Connect", "Redirect", "Hangup"}));
}

BOOST_AUTO_TEST_CASE(untrusted_openai_certificate_is_refused) {
  auto script = short_booking_script("+15557650011");
  e2e_env env({.scripts = {script}, .trust_peer = false, .tune = fail_fast});
  auto options = env.caller_for(script);
  options.expect_stream_cut = true;
  auto r = env.call(std::move(options));
  expect_voicemail(env, r);
  // The TLS handshake failed: no WebSocket, no API key sent.
  BOOST_TEST(env.peer().stats().connections == 0);
  BOOST_TEST(env.peer().client_events().empty());
}
