// Issue 13 item 1 end to end: a caller put through to a person. The
// model's transfer_to_human tool, or the transfer key, has the assistant
// say the hand-over line; once it has played (the echoed marks) the bridge
// updates the live call through the REST API stand-in with <Dial>; the
// stand-in ends the Media Stream as Twilio does, the simulated person
// answers or not, and <Dial>'s action comes back, signed, with
// DialCallStatus: the job card says the call was transferred, why, and
// whether a person answered; nobody answering ends in voicemail.
#include "tests/call/transfer_support.hpp"

#define BOOST_TEST_MODULE e2e_transfer
#include <boost/test/unit_test.hpp>

#include "tests/console/console_client.hpp"

#include <atomic>
#include <future>

using namespace sb;
using namespace sb::test;

namespace {

sim::call_script asks_for_person(const std::string& caller) {
  sim::call_script s;
  s.caller_number = caller;
  s.greeting_clip = "one_moment";
  s.assistant_hangs_up = false;
  s.turns.push_back(make_turn("Can I speak to a person, please?", "caller_1",
                              {transfer_call("caller asked for a person")}, "Of course.",
                              "reply_1"));
  s.turns.push_back(never_reached());
  return s;
}

/// The one REST request the bridge made: an update of this call to <Dial>.
void check_dial_update(e2e_env& env, const std::string& sid, const std::string& caller) {
  auto reqs = env.rest()->requests();
  BOOST_REQUIRE_EQUAL(reqs.size(), 1u);
  BOOST_TEST(reqs[0].status == 200);
  BOOST_TEST(reqs[0].path.find("/Calls/" + sid + ".json") != std::string::npos);
  std::string twiml;
  for (const auto& [k, v] : reqs[0].params)
    if (k == "Twiml")
      twiml = v;
  BOOST_TEST_INFO("Twiml: " << twiml);
  BOOST_TEST(twiml.find("<Dial callerId=\"" + caller + "\" timeout=\"20\" action=\"" +
                        "https://switchboard.e2e.invalid/telephony/realtime-call-next?" +
                        "after=transfer\" method=\"POST\"><Number>" + transfer_number +
                        "</Number></Dial>") != std::string::npos);
}

/// One call of `script` whose <Dial> a person answers.
sim::caller_result call_answered(e2e_env& env, const sim::call_script& script) {
  auto opts = env.caller_for(script);
  opts.human.answers = true;
  opts.human.answer_after_ms = 300;
  opts.human.talk_ms = 600;
  auto r = env.call(opts);
  BOOST_TEST_INFO("caller error: " << r.error);
  BOOST_TEST(r.ok);
  return r;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_transfer_the_model_asks_for_reaches_a_person_who_answers) {
  auto script = asks_for_person("+15557651401");
  e2e_env env(transfer_options({script}));
  auto r = call_answered(env, script);
  BOOST_TEST(r.stream_ended_by_update);
  BOOST_TEST(r.verbs == (std::vector<std::string>{"Connect", "Dial", "Hangup"}));
  BOOST_TEST(r.dial_status == "completed");
  check_dial_update(env, r.call_sid, script.caller_number);

  // The model was told the transfer started, and the hand-over line was
  // asked for verbatim; every event valid against OpenAI's schema.
  auto events = env.peer().client_events();
  BOOST_TEST(first_invalid_client_event(events) == "");
  bool told_ok = false, line_asked = false;
  for (const auto& e : events) {
    told_ok |= e.find("function_call_output") != std::string::npos &&
               e.find(R"(\"ok\":true)") != std::string::npos;
    line_asked |= event_type(e) == "response.create" &&
                  e.find("put you through to someone now") != std::string::npos;
  }
  BOOST_TEST(told_ok);
  BOOST_TEST(line_asked);

  BOOST_REQUIRE(env.wait_for_no_calls());
  auto call = env.call_record(r.call_sid);
  BOOST_REQUIRE(call.has_value());
  BOOST_TEST(call->end_reason == sb::end_reason::transferred);
  auto job = job_when(env, r.call_sid,
                      [](const storage::job& j) { return j.transfer.status == "completed"; });
  BOOST_REQUIRE(job.has_value());
  BOOST_TEST(job->transfer.reason == "tool: caller asked for a person");
  BOOST_TEST(job->transfer.human_answered());
  BOOST_TEST(job->transfer.describe() ==
             "transferred (tool: caller asked for a person); a person answered");
  BOOST_TEST(env.call_record(r.call_sid)->transfer.status == "completed");

  // The card's push, then its update once <Dial>'s outcome came.
  BOOST_REQUIRE(env.wait_for_pushes(2, 10'000ms));
  auto created = pushes_of(env, "job.created");
  auto updated = pushes_of(env, "job.updated");
  BOOST_REQUIRE_EQUAL(created.size(), 1u);
  BOOST_REQUIRE_EQUAL(updated.size(), 1u);
  BOOST_TEST(std::string{created[0]["transfer"]["reason"].GetString()} ==
             "tool: caller asked for a person");
  BOOST_TEST(created[0]["transfer"]["humanAnswered"].IsNull());
  BOOST_TEST(updated[0]["transfer"]["humanAnswered"].GetBool());
}

BOOST_AUTO_TEST_CASE(a_transfer_nobody_answers_ends_in_voicemail_with_the_transfer_on_the_card) {
  auto script = asks_for_person("+15557651402");
  e2e_env env(transfer_options({script}));
  auto opts = env.caller_for(script);
  opts.human.answers = false;
  opts.human.no_answer_after_ms = 400;
  auto r = env.call(opts);
  BOOST_TEST_INFO("caller error: " << r.error);
  BOOST_TEST(r.ok);
  BOOST_TEST(r.dial_status == "no-answer");
  BOOST_TEST(r.verbs ==
             (std::vector<std::string>{"Connect", "Dial", "Say", "Record", "Say", "Hangup"}));
  BOOST_TEST(!r.recording_url.empty());
  BOOST_TEST(r.recording_callback_status == 200);
  check_dial_update(env, r.call_sid, script.caller_number);

  BOOST_REQUIRE(env.wait_for_no_calls());
  auto job = job_when(env, r.call_sid, [](const storage::job& j) { return j.kind == "voicemail"; });
  BOOST_REQUIRE(job.has_value());
  BOOST_TEST(job->kind == "voicemail");
  BOOST_TEST(job->recording_url == r.recording_url);
  BOOST_TEST(job->transfer.reason == "tool: caller asked for a person");
  BOOST_TEST(job->transfer.status == "no-answer");
  BOOST_TEST(!job->transfer.human_answered());
  BOOST_REQUIRE(env.wait_for_pushes(3, 10'000ms));
  auto vm = pushes_of(env, "voicemail.recorded");
  BOOST_REQUIRE_EQUAL(vm.size(), 1u);
  BOOST_TEST(std::string{vm[0]["transfer"]["status"].GetString()} == "no-answer");
  BOOST_TEST(!vm[0]["transfer"]["humanAnswered"].GetBool());
}

BOOST_AUTO_TEST_CASE(the_transfer_key_alone_puts_the_caller_through) {
  sim::call_script script;
  script.caller_number = "+15557651403";
  script.greeting_clip = "one_moment";
  script.assistant_hangs_up = false;
  auto keys = make_turn("", "", {}, "", "reply_1");
  keys.dtmf = "0";
  script.turns.push_back(keys);
  script.turns.push_back(never_reached());
  e2e_env env(transfer_options({script}));
  auto r = call_answered(env, script);
  BOOST_TEST(r.dial_status == "completed");
  check_dial_update(env, r.call_sid, script.caller_number);
  // The key is not passed on as text: it is the transfer.
  for (const auto& e : events_of(env, "conversation.item.create"))
    BOOST_TEST(e.find("pressed the keys") == std::string::npos);
  BOOST_REQUIRE(env.wait_for_no_calls());
  auto job = job_when(env, r.call_sid,
                      [](const storage::job& j) { return j.transfer.status == "completed"; });
  BOOST_REQUIRE(job.has_value());
  BOOST_TEST(job->transfer.reason == "dtmf");
  BOOST_TEST(job->transfer.human_answered());
}

BOOST_AUTO_TEST_CASE(the_consoles_transfer_button_puts_a_live_call_through) {
  const std::string token = "operator-token-for-transfer-tests";
  sim::call_script script;
  script.caller_number = "+15557651404";
  script.greeting_clip = "one_moment";
  script.assistant_hangs_up = false;
  script.turns.push_back(never_reached()); // the caller listens; the operator acts
  auto o = transfer_options({script});
  o.tune = [token](config& c) { c.console.token = token; };
  e2e_env env(o);
  auto opts = env.caller_for(script);
  opts.human.answers = true;
  opts.human.answer_after_ms = 300;
  opts.human.talk_ms = 600;
  opts.call_sid = "CA13000000000000000000000000000404";
  auto greeted = std::make_shared<std::atomic<bool>>(false);
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

  const auto base = env.server_url();
  const auto path = "/console/calls/" + opts.call_sid + "/transfer";
  using console::test::request;
  // Without a session: 401, as for End call; an unknown call: 404.
  BOOST_TEST(request(env.io(), "POST", base + path).status == 401);
  auto session = console::test::login(env.io(), base, token);
  BOOST_TEST(request(env.io(), "POST", base + "/console/calls/CAnone/transfer", session).status ==
             404);
  auto first = request(env.io(), "POST", base + path, session);
  BOOST_TEST(first.status == 202);
  auto again = request(env.io(), "POST", base + path, session);
  BOOST_TEST(again.status == 409); // one transfer at a time
  BOOST_TEST(again.body.find("already under way") != std::string::npos);

  BOOST_REQUIRE(result.wait_for(60s) == std::future_status::ready);
  auto r = result.get();
  BOOST_TEST_INFO("caller error: " << r.error);
  BOOST_TEST(r.ok);
  BOOST_TEST(r.dial_status == "completed");
  check_dial_update(env, opts.call_sid, script.caller_number);
  BOOST_REQUIRE(env.wait_for_no_calls());
  auto job = job_when(env, opts.call_sid,
                      [](const storage::job& j) { return j.transfer.status == "completed"; });
  BOOST_REQUIRE(job.has_value());
  BOOST_TEST(job->transfer.reason == "operator");
}
