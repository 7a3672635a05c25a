// Issue 3, the happy path: a caller books a plumber in a real-time call
// through the real server, and the business gets a job card.
#include "tests/call/call_fixture.hpp"

#define BOOST_TEST_MODULE e2e_booking_call
#include <boost/test/unit_test.hpp>

#include "common/time.hpp"

#include <rapidjson/document.h>

#include <ctime>

using namespace sb;
using namespace sb::test;

namespace {

std::string tomorrow() {
  std::time_t t = static_cast<std::time_t>(now_ms() / 1000 + 24 * 3600);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

/// The call record: ended by the assistant's hang-up, tokens counted.
void check_call_record(const e2e_env& env, const std::string& call_sid, const std::string& caller) {
  auto call = env.call_record(call_sid);
  BOOST_REQUIRE(call.has_value());
  BOOST_TEST(call->end_reason == sb::end_reason::assistant_hangup);
  BOOST_TEST(call->status == sb::call_status::completed);
  BOOST_TEST(call->from == caller);
  BOOST_TEST(call->answered_at_ms > 0);
  BOOST_TEST(call->ended_at_ms >= call->answered_at_ms);
  BOOST_TEST(call->usage.input_audio + call->usage.input_text > 0);
  BOOST_TEST(call->usage.output_audio + call->usage.output_text > 0);
  BOOST_TEST(call->openai_reconnects == 0);
  BOOST_TEST(call->barge_ins == 0);
}

/// The job card: exactly what the model recorded.
void check_job_card(const e2e_env& env, const std::string& call_sid, const std::string& caller,
                    const sim::call_script& script) {
  auto job = env.job(call_sid);
  BOOST_REQUIRE(job.has_value());
  BOOST_TEST(job->status == "new");
  BOOST_TEST(job->caller == caller);
  auto expected = expected_booking(script);
  BOOST_TEST(expected.size() == 7u); // service, urgency, name, address, date, time, phone
  for (const auto& [field, value] : expected) {
    BOOST_TEST_INFO("field " << field);
    BOOST_TEST(booking_field(job->details, field) == value);
  }
}

/// The transcript: greeting, then caller and assistant alternate.
void check_transcript(const e2e_env& env, const std::string& call_sid,
                      const sim::call_script& script) {
  auto turns = env.turns(call_sid);
  BOOST_REQUIRE(turns.size() == 1 + 2 * script.turns.size());
  BOOST_TEST(turns[0].role == sb::speaker::assistant);
  BOOST_TEST(turns[0].text == tenant_greeting);
  for (std::size_t i = 0; i < script.turns.size(); ++i) {
    const auto& said = turns[1 + 2 * i];
    const auto& reply = turns[2 + 2 * i];
    BOOST_TEST_INFO("turn " << i);
    BOOST_TEST(said.role == sb::speaker::caller);
    BOOST_TEST(said.text == script.turns[i].caller_text);
    BOOST_TEST(reply.role == sb::speaker::assistant);
    BOOST_TEST(reply.text == script.turns[i].reply_text);
    BOOST_TEST(!reply.truncated);
    // Caller speech end -> first reply audio to Twilio, measured by the bridge.
    BOOST_TEST(reply.latency_ms >= 0);
    BOOST_TEST(reply.latency_ms < 5000);
    BOOST_TEST(reply.bridge_latency_ms >= 0);
    BOOST_TEST(reply.bridge_latency_ms <= reply.latency_ms);
  }
  for (std::size_t i = 0; i < turns.size(); ++i)
    BOOST_TEST(turns[i].seq == static_cast<int>(i));
}

/// The push notification: one outbox entry, delivered as JSON.
void check_push(e2e_env& env, const std::string& call_sid, const std::string& caller,
                const sim::call_script& script) {
  const auto expected = expected_booking(script);
  BOOST_REQUIRE(env.wait_for_pushes(1, 10'000ms));
  auto outbox = env.outbox();
  BOOST_REQUIRE(outbox.size() == 1u);
  BOOST_TEST(outbox[0].url == "http://127.0.0.1:" + std::to_string(env.push_port()) + "/push");
  auto pushes = env.pushes();
  BOOST_REQUIRE(pushes.size() == 1u);
  rapidjson::Document d;
  d.Parse(pushes[0].c_str());
  BOOST_REQUIRE(!d.HasParseError());
  BOOST_REQUIRE(d.IsObject());
  BOOST_TEST(std::string{d["callSid"].GetString()} == call_sid);
  BOOST_TEST(std::string{d["status"].GetString()} == "new");
  BOOST_TEST(std::string{d["caller"].GetString()} == caller);
  BOOST_REQUIRE(d["job"].IsObject());
  for (const auto& [field, value] : expected) {
    BOOST_TEST_INFO("pushed field " << field);
    BOOST_TEST(std::string{d["job"][field.c_str()].GetString()} == value);
  }
}

} // namespace

BOOST_AUTO_TEST_CASE(booking_call_makes_job_card_and_transcript) {
  const std::string caller = "+15557654321";
  auto script = sim::demo_script(caller, tomorrow());
  e2e_env env({.scripts = {script}});
  auto r = env.call(script);
  BOOST_TEST_INFO("caller error: " << r.error);
  BOOST_TEST(r.ok);
  BOOST_TEST(r.server_hung_up);
  BOOST_REQUIRE(env.wait_for_no_calls());

  check_call_record(env, r.call_sid, caller);
  check_job_card(env, r.call_sid, caller, script);
  check_transcript(env, r.call_sid, script);
  check_push(env, r.call_sid, caller, script);

  // -- every frame the bridge sent to OpenAI is a valid GA client event --
  BOOST_TEST(first_invalid_client_event(env.peer().client_events()) == "");
  BOOST_TEST(env.peer().stats().errors_sent == 0);
}

BOOST_AUTO_TEST_CASE(greeting_plays_first) {
  auto script = short_booking_script("+15557650002", "Gina Greeting", "2 Hello Road", "greeting");
  e2e_env env({.scripts = {script}});
  auto r = env.call(script);
  BOOST_TEST_INFO("caller error: " << r.error);
  BOOST_TEST(r.ok);
  // The caller heard the assistant before it said anything: setup_ms is
  // "webhook sent -> first assistant audio", and the caller only speaks once
  // the greeting has finished playing.
  BOOST_TEST(r.setup_ms >= 0);
  BOOST_TEST(r.setup_ms < 5000);
  BOOST_TEST(r.bytes_received > 0);
  BOOST_REQUIRE(env.wait_for_no_calls());
  auto turns = env.turns(r.call_sid);
  BOOST_REQUIRE(!turns.empty());
  BOOST_TEST(turns[0].seq == 0);
  BOOST_TEST(turns[0].role == sb::speaker::assistant);
  BOOST_TEST(turns[0].text == tenant_greeting);
  BOOST_REQUIRE(turns.size() >= 2u);
  BOOST_TEST(turns[1].role == sb::speaker::caller);
  BOOST_TEST(turns[1].started_at_ms >= turns[0].started_at_ms);
  // The first response the bridge asked for is the greeting, sent before
  // the caller had said anything (no function output or message before it).
  auto events = env.peer().client_events();
  auto first = std::find_if(events.begin(), events.end(),
                            [](const auto& e) { return event_type(e) == "response.create"; });
  BOOST_REQUIRE(first != events.end());
  BOOST_TEST(first->find(tenant_greeting) != std::string::npos);
  BOOST_TEST(std::none_of(events.begin(), first, [](const auto& e) {
    return event_type(e) == "conversation.item.create";
  }));
  BOOST_TEST(first_invalid_client_event(events) == "");
}
