#include "sim/caller.hpp"

#define BOOST_TEST_MODULE sim_caller_flow
#include <boost/test/unit_test.hpp>

// The simulated caller runs TwiML verb by verb as Twilio does
// (docs/protocols.md 6), against a small application (tests/support/
// twiml_app.hpp) that answers its signed requests, with the REST stand-in
// keeping the call's state.

#include "net/io.hpp"
#include "protocol/twiml.hpp"
#include "sim/twilio_rest.hpp"
#include "tests/support/twiml_app.hpp"

#include <future>
#include <iostream>

using namespace sb;
using namespace std::chrono_literals;
using test::param;

namespace {

constexpr const char* webhook = "/telephony/realtime-inbound-voice";
const std::string token = "flow-test-token";

struct flow_fixture {
  net::io_runtime io{2};
  sim::clip_library clips = *sim::clip_library::load_default();
  test::twiml_app app{io.context(), token};
  std::shared_ptr<sim::twilio_rest> rest;

  flow_fixture() {
    sim::twilio_rest_options o;
    o.auth_token = token;
    auto r = sim::twilio_rest::start(io.context(), o);
    BOOST_REQUIRE(r.ok());
    rest = *r;
  }
  ~flow_fixture() { rest->stop(); }

  sim::caller_options options() {
    sim::caller_options o;
    o.server_url = app.server_url();
    o.public_url = app.public_url();
    o.auth_token = token;
    o.to_number = "+15551230000";
    o.clips = &clips;
    o.rest = rest;
    o.max_call_ms = 30'000;
    o.human.no_answer_after_ms = 300;
    o.on_event = [](const std::string& line) { std::cout << "  [call] " << line << "\n"; };
    return o;
  }

  sim::caller_result run(sim::caller_options o) {
    std::promise<sim::caller_result> done;
    sim::run_caller(io.context(), std::move(o),
                    [&](sim::caller_result r) { done.set_value(std::move(r)); });
    auto f = done.get_future();
    BOOST_REQUIRE(f.wait_for(40s) == std::future_status::ready);
    return f.get();
  }
};

using names = std::vector<std::string>;

} // namespace

BOOST_AUTO_TEST_CASE(nobody_answers_a_dial_so_the_action_gets_no_answer_and_its_twiml_runs) {
  flow_fixture f;
  proto::dial_options d;
  d.number = "+15557654321";
  d.caller_id = "+15550001111";
  d.timeout_s = 20;
  d.action = "/dial-done?tenant=1";
  f.app.answer(webhook, proto::twiml_dial("Connecting you", d));
  f.app.answer("/dial-done", proto::twiml_say_hangup("Nobody is free"));
  auto r = f.run(f.options());
  BOOST_TEST_INFO("error: " << r.error);
  BOOST_TEST(r.ok);
  BOOST_TEST(r.verbs == (names{"Say", "Dial", "Say", "Hangup"}));
  BOOST_TEST(r.said == (names{"Connecting you", "Nobody is free"}));
  BOOST_TEST(r.dial_status == "no-answer");
  BOOST_TEST(r.final_status == "completed");
  auto action = f.app.request_to("/dial-done");
  BOOST_REQUIRE(action.has_value());
  BOOST_TEST(action->target == "/dial-done?tenant=1");
  BOOST_TEST(action->signature_ok);
  BOOST_TEST(param(action->params, "DialCallStatus") == "no-answer");
  BOOST_TEST(param(action->params, "DialCallSid").rfind("CA", 0) == 0u);
  BOOST_TEST(param(action->params, "DialCallDuration") == "");
  BOOST_TEST(param(action->params, "CallSid") == r.call_sid);
  BOOST_TEST(param(action->params, "CallStatus") == "in-progress");
  auto state = f.rest->call(r.call_sid);
  BOOST_REQUIRE(state.has_value());
  BOOST_TEST(state->status == "completed");
  BOOST_TEST(state->twiml == proto::twiml_say_hangup("Nobody is free"));
}

BOOST_AUTO_TEST_CASE(an_answered_dial_without_an_action_goes_on_to_the_next_verb) {
  flow_fixture f;
  proto::dial_options d;
  d.number = "+15557654321";
  f.app.answer(webhook, proto::twiml_response({proto::verb_dial(d), proto::verb_say("after")}));
  auto o = f.options();
  o.human.answers = true;
  o.human.answer_after_ms = 100;
  o.human.talk_ms = 1200;
  auto r = f.run(o);
  BOOST_TEST_INFO("error: " << r.error);
  BOOST_TEST(r.ok);
  BOOST_TEST(r.verbs == (names{"Dial", "Say"}));
  BOOST_TEST(r.dial_status == "completed");
  BOOST_TEST(f.app.requests().size() == 1u); // only the webhook
}

BOOST_AUTO_TEST_CASE(a_voicemail_records_a_message_and_posts_the_recording_and_the_action) {
  flow_fixture f;
  proto::record_options rec;
  rec.max_length_s = 60;
  rec.finish_on_key = "#";
  rec.recording_status_callback = "/telephony/realtime-recording-status";
  rec.action = "/vm-done";
  f.app.answer(webhook, proto::twiml_voicemail("Please leave a message.", rec, "Unreachable"));
  f.app.answer("/telephony/realtime-recording-status", "OK");
  f.app.answer("/vm-done", proto::twiml_say_hangup("Thanks, goodbye."));
  auto r = f.run(f.options());
  BOOST_TEST_INFO("error: " << r.error);
  BOOST_TEST(r.ok);
  // With an action, Twilio runs its answer, never the verbs after <Record>.
  BOOST_TEST(r.verbs == (names{"Say", "Record", "Say", "Hangup"}));
  BOOST_TEST(r.said == (names{"Please leave a message.", "Thanks, goodbye."}));
  BOOST_TEST(r.recording_url.rfind(f.rest->base_url() + "/2010-04-01/Accounts/" +
                                       f.rest->account_sid() + "/Recordings/RE",
                                   0) == 0u);
  BOOST_TEST(r.recording_duration_s >= 2); // the caller_2 clip, about 3 s
  BOOST_TEST(r.recording_duration_s <= 6);
  BOOST_TEST(r.recording_callback_status == 200);
  auto cb = f.app.request_to("/telephony/realtime-recording-status");
  BOOST_REQUIRE(cb.has_value());
  BOOST_TEST(cb->signature_ok);
  BOOST_TEST(param(cb->params, "CallSid") == r.call_sid);
  BOOST_TEST(param(cb->params, "RecordingUrl") == r.recording_url);
  BOOST_TEST(param(cb->params, "RecordingStatus") == "completed");
  BOOST_TEST(param(cb->params, "RecordingDuration") == std::to_string(r.recording_duration_s));
  BOOST_TEST(param(cb->params, "RecordingSource") == "RecordVerb");
  BOOST_TEST(param(cb->params, "RecordingSid").rfind("RE", 0) == 0u);
  auto action = f.app.request_to("/vm-done");
  BOOST_REQUIRE(action.has_value());
  BOOST_TEST(action->signature_ok);
  BOOST_TEST(param(action->params, "Digits") == "#");
  BOOST_TEST(param(action->params, "RecordingUrl") == r.recording_url);
}

BOOST_AUTO_TEST_CASE(a_redirect_fetches_signed_twiml_from_the_public_url_and_runs_it) {
  flow_fixture f;
  f.app.answer(webhook, "<Response><Redirect>https://app.example/next</Redirect>"
                        "<Say>never</Say></Response>");
  f.app.answer("/next", proto::twiml_say_hangup("Redirected"));
  auto r = f.run(f.options());
  BOOST_TEST_INFO("error: " << r.error);
  BOOST_TEST(r.ok);
  BOOST_TEST(r.verbs == (names{"Redirect", "Say", "Hangup"}));
  BOOST_TEST(f.app.request_to("/next")->signature_ok);
}

BOOST_AUTO_TEST_CASE(an_action_that_fails_ends_the_call_with_an_error) {
  flow_fixture f;
  proto::dial_options d;
  d.number = "+15557654321";
  d.action = "/missing";
  f.app.answer(webhook, proto::twiml_dial("", d));
  auto r = f.run(f.options());
  BOOST_TEST(!r.ok);
  BOOST_TEST(r.error.find("HTTP 404") != std::string::npos);
  BOOST_TEST(r.dial_status == "no-answer");
}
