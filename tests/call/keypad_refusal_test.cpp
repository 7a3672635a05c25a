// Issue 13 items 1-2 end to end, the other way round: keys that are not
// the transfer key reach the model as one text item; and a transfer that
// cannot happen (after hours, Twilio's REST API refusing the update) leaves
// the caller with the assistant, who is told so, and the job card says so.
#include "tests/call/transfer_support.hpp"

#define BOOST_TEST_MODULE e2e_keypad_refusal
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <ctime>

using namespace sb;
using namespace sb::test;

namespace {

/// The caller asks for a person, then (after the assistant's answer) says
/// goodbye and the assistant hangs up.
sim::call_script asks_then_leaves(const std::string& caller) {
  sim::call_script s;
  s.caller_number = caller;
  s.greeting_clip = "one_moment";
  s.turns.push_back(make_turn("Can I speak to a person, please?", "caller_1",
                              {transfer_call("caller asked for a person")}, "Of course.",
                              "reply_1"));
  auto bye =
      make_turn("Great, thank you. Bye.", "caller_4", {}, "You're welcome. Goodbye!", "reply_4");
  bye.pause_before_ms = 4'000; // the assistant's answer to the refusal plays first
  s.turns.push_back(bye);
  return s;
}

/// The function_call_output the model got for transfer_to_human.
std::string transfer_output(e2e_env& env) {
  for (const auto& e : events_of(env, "conversation.item.create"))
    if (e.find("function_call_output") != std::string::npos)
      return e;
  return {};
}

/// A call whose REST update is refused: the conversation goes on, the card
/// says the transfer was refused.
void check_refused_update(e2e_env& env, const sim::caller_result& r, int code) {
  BOOST_TEST_INFO("caller error: " << r.error);
  BOOST_TEST(r.ok);
  BOOST_TEST(!r.stream_ended_by_update);
  BOOST_TEST_INFO("verbs: " << r.verbs.size());
  BOOST_TEST(std::count(r.verbs.begin(), r.verbs.end(), "Dial") == 0); // never put through
  auto reqs = env.rest()->requests();
  BOOST_REQUIRE_EQUAL(reqs.size(), 1u);
  BOOST_TEST(reqs[0].code == code);
  // The model heard that it failed, as a system message, and spoke again.
  bool told = false;
  for (const auto& e : events_of(env, "conversation.item.create"))
    told |= e.find("did not go through") != std::string::npos;
  BOOST_TEST(told);
  BOOST_TEST(first_invalid_client_event(env.peer().client_events()) == "");
  BOOST_REQUIRE(env.wait_for_no_calls());
  auto call = env.call_record(r.call_sid);
  BOOST_REQUIRE(call.has_value());
  BOOST_TEST(call->end_reason == sb::end_reason::assistant_hangup);
  auto job = env.job(r.call_sid);
  BOOST_REQUIRE(job.has_value());
  BOOST_TEST(job->transfer.reason == "tool: caller asked for a person");
  BOOST_TEST(job->transfer.status == "refused");
  BOOST_TEST(job->transfer.describe().find("Twilio refused the transfer") != std::string::npos);
}

} // namespace

BOOST_AUTO_TEST_CASE(other_keys_reach_the_model_as_one_text_item) {
  sim::call_script script;
  script.caller_number = "+15557651501";
  script.greeting_clip = "one_moment";
  auto keys = make_turn("", "", {}, "Thanks, I have your number. Goodbye!", "reply_4");
  keys.dtmf = "0412555123#"; // starts with the transfer key: a number, not a transfer
  keys.key_gap_ms = 100;
  script.turns.push_back(keys);
  e2e_env env(transfer_options({script}));
  auto r = env.call(script);
  BOOST_TEST_INFO("caller error: " << r.error);
  BOOST_TEST(r.ok);
  BOOST_TEST(r.server_hung_up);
  int items = 0;
  for (const auto& e : events_of(env, "conversation.item.create"))
    if (e.find("pressed the keys") != std::string::npos) {
      ++items;
      BOOST_TEST(e.find(R"("role":"user")") != std::string::npos);
      BOOST_TEST(
          e.find(R"("type":"input_text","text":"The caller pressed the keys: 0412555123")") !=
          std::string::npos);
    }
  BOOST_TEST(items == 1);
  BOOST_TEST(first_invalid_client_event(env.peer().client_events()) == "");
  BOOST_TEST(env.rest()->requests().empty()); // no transfer
  BOOST_REQUIRE(env.wait_for_no_calls());
  auto job = env.job(r.call_sid);
  BOOST_REQUIRE(job.has_value());
  BOOST_TEST(!job->transfer.transferred());
}

BOOST_AUTO_TEST_CASE(after_hours_the_model_is_told_no_transfer_is_possible) {
  // Open only on a weekday three days from today (UTC): closed now.
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  static const char* days[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  const int today = (tm.tm_wday + 6) % 7; // Monday = 0
  const std::string hours = std::string{days[(today + 3) % 7]} + " 09:00-17:00";
  auto script = asks_then_leaves("+15557651502");
  auto o = transfer_options({script});
  o.tenant = [hours](storage::tenant& t) {
    t.transfer_number = transfer_number;
    t.hours = hours;
    t.timezone = "UTC";
    t.transfer_after_hours = false;
  };
  e2e_env env(o);
  auto r = env.call(script);
  BOOST_TEST_INFO("caller error: " << r.error);
  BOOST_TEST(r.ok);
  BOOST_TEST_INFO("verbs: " << r.verbs.size());
  BOOST_TEST(std::count(r.verbs.begin(), r.verbs.end(), "Dial") == 0); // never put through
  BOOST_TEST(env.rest()->requests().empty());
  auto out = transfer_output(env);
  BOOST_TEST_INFO("output: " << out);
  BOOST_TEST(out.find(R"(\"ok\":false)") != std::string::npos);
  BOOST_TEST(out.find("outside business hours") != std::string::npos);
  BOOST_REQUIRE(env.wait_for_no_calls());
  auto job = env.job(r.call_sid);
  BOOST_REQUIRE(job.has_value());
  BOOST_TEST(!job->transfer.transferred());
  BOOST_TEST(env.call_record(r.call_sid)->end_reason == sb::end_reason::assistant_hangup);
}

BOOST_AUTO_TEST_CASE(rest_refusing_the_bridges_auth_leaves_the_caller_with_the_assistant) {
  auto script = asks_then_leaves("+15557651503");
  auto o = transfer_options({script});
  o.rest_auth_token = "not-the-servers-token";
  e2e_env env(o);
  check_refused_update(env, env.call(script), 20003);
}

BOOST_AUTO_TEST_CASE(rest_not_knowing_the_call_leaves_the_caller_with_the_assistant) {
  auto script = asks_then_leaves("+15557651504");
  e2e_env env(transfer_options({script}));
  auto opts = env.caller_for(script);
  opts.rest = nullptr; // the stand-in never hears of this call: 404, 20404
  check_refused_update(env, env.call(opts), 20404);
}
