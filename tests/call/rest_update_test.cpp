// Issue 13's foundation end to end: during a live call on the real server,
// a REST update (telephony/twilio_rest_client) reaches the REST stand-in,
// which ends the Media Stream as Twilio does (`stop`, then the socket
// closes) and has the simulated caller run the new TwiML: a <Dial> nobody
// answers, then the verbs after it. Switchboard sees the stream end after
// `stop` and finalizes the call with its job card (docs/protocols.md 6).
#include "tests/call/call_fixture.hpp"

#define BOOST_TEST_MODULE e2e_rest_update
#include <boost/test/unit_test.hpp>

#include "protocol/twiml.hpp"
#include "sim/twilio_rest.hpp"
#include "telephony/twilio_rest_client.hpp"

#include <atomic>
#include <future>
#include <thread>

using namespace sb;
using namespace sb::test;

BOOST_AUTO_TEST_CASE(a_rest_update_mid_call_ends_the_stream_and_the_caller_dials_nobody) {
  sim::call_script script;
  script.caller_number = "+15557651301";
  script.greeting_clip = "one_moment";
  script.assistant_hangs_up = false;
  // The caller stays silent after the greeting: the update arrives meanwhile.
  script.turns.push_back(make_turn("Hi, my kitchen sink is leaking under the cabinet.", "caller_1",
                                   {}, "I'm sorry to hear that.", "reply_1"));
  script.turns[0].pause_before_ms = 60'000;
  e2e_env env({.scripts = {script}});

  sim::twilio_rest_options ro;
  ro.auth_token = env.auth_token();
  auto rest = sim::twilio_rest::start(env.io(), ro);
  BOOST_REQUIRE(rest.ok());

  auto greeted = std::make_shared<std::atomic<bool>>(false);
  auto opts = env.caller_for(script);
  opts.call_sid = "CA13000000000000000000000000000001";
  opts.rest = *rest;
  opts.human.no_answer_after_ms = 400;
  opts.on_event = [greeted](const std::string& line) {
    if (line == "greeting finished playing")
      *greeted = true;
  };
  auto done = std::make_shared<std::promise<sim::caller_result>>();
  auto result = done->get_future();
  sim::run_caller(env.io(), opts, [done](sim::caller_result r) { done->set_value(std::move(r)); });
  for (int i = 0; i < 300 && !*greeted; ++i)
    std::this_thread::sleep_for(50ms);
  BOOST_REQUIRE_MESSAGE(*greeted, "the greeting never finished playing");
  BOOST_TEST((*rest)->call(opts.call_sid)->status == "in-progress");

  telephony::twilio_rest_options co;
  co.base_url = (*rest)->base_url();
  co.account_sid = (*rest)->account_sid();
  co.auth_token = env.auth_token();
  telephony::twilio_rest_client client(env.io(), co);
  proto::dial_options dial;
  dial.number = "+15557654321";
  dial.caller_id = script.caller_number;
  dial.timeout_s = 20;
  std::promise<proto::rest_result> answered;
  client.update_call(
      opts.call_sid,
      proto::twiml_response({proto::verb_dial(dial), proto::verb_say("Nobody is free. Goodbye."),
                             proto::verb_hangup()}),
      [&](proto::rest_result r) { answered.set_value(std::move(r)); });
  auto update = answered.get_future();
  BOOST_REQUIRE(update.wait_for(10s) == std::future_status::ready);
  auto u = update.get();
  BOOST_REQUIRE_MESSAGE(u.ok(), (u.ok() ? "" : u.error().describe()));
  BOOST_TEST(u.call().status == "in-progress");

  BOOST_REQUIRE(result.wait_for(30s) == std::future_status::ready);
  auto r = result.get();
  BOOST_TEST_INFO("caller error: " << r.error);
  BOOST_TEST(r.ok);
  BOOST_TEST(r.stream_ended_by_update);
  BOOST_TEST(r.rest_updates == 1);
  BOOST_TEST(r.verbs == (std::vector<std::string>{"Connect", "Dial", "Say", "Hangup"}));
  BOOST_TEST(r.dial_status == "no-answer");
  BOOST_TEST(r.said == (std::vector<std::string>{"Nobody is free. Goodbye."}));
  BOOST_TEST(!r.server_hung_up);
  BOOST_TEST((*rest)->call(opts.call_sid)->status == "completed");

  // The server saw `stop`, then the socket close: a clean end, finalized.
  BOOST_REQUIRE(env.wait_for_no_calls());
  auto call = env.call_record(opts.call_sid);
  BOOST_REQUIRE(call.has_value());
  BOOST_TEST_INFO("end reason: " << storage::end_reason_text(*call));
  BOOST_TEST(call->end_reason == sb::end_reason::caller_hangup);
  BOOST_TEST(call->ended_at_ms > 0);
  BOOST_TEST(env.job(opts.call_sid).has_value());
  BOOST_TEST(env.wait_for_pushes(1, 10'000ms));
  (*rest)->stop();
}
