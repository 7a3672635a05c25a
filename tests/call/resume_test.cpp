// A caller is picked up again after the Twilio stream was lost (issue 14.3,
// actors/call_resume.hpp): the simulated caller drops its Media Stream
// without `stop` and follows the <Redirect> after </Connect> as Twilio does;
// the call-next route answers a new <Connect><Stream>, a new supervisor
// carries the conversation on from the database, and the call keeps one row
// and one job card. A caller who does not come back is finalized after the
// grace period as before (twilio_socket_lost).
#define BOOST_TEST_MODULE e2e_resume
#include <boost/test/unit_test.hpp>

#include "tests/call/call_fixture.hpp"

#include <algorithm>
#include <set>
#include <thread>

using namespace sb;
using namespace sb::test;

namespace {

/// Three turns: the caller's name and job go on record on the first.
sim::call_script named_booking(const std::string& number, const std::string& customer) {
  sim::call_script s;
  s.caller_number = number;
  s.greeting_clip = "one_moment";
  s.turns.push_back(make_turn("Hi, my kitchen sink is leaking under the cabinet.", "caller_1",
                              {full_booking(customer, "7 Resume Road", number)},
                              "I'm sorry to hear that. Can I get your name and the address?",
                              "reply_1"));
  s.turns.push_back(make_turn("Tomorrow at ten in the morning, if possible.", "caller_3", {},
                              "Tomorrow at ten works.", "reply_3"));
  s.turns.push_back(
      make_turn("Great, thank you. Bye.", "caller_4", {}, "You're welcome. Goodbye!", "reply_4"));
  return s;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_dropped_twilio_stream_is_picked_up_again_and_the_call_goes_on) {
  const std::string customer = "Rita Resume";
  auto script = named_booking("+15557710001", customer);
  e2e_env env({.scripts = {script},
               .tune = [](config& c) { c.resume.grace = std::chrono::milliseconds{10'000}; }});
  auto opts = env.caller_for(script);
  opts.vanish_after_turns = 1; // the stream drops after reply_1, without `stop`
  opts.follow_resume = true;   // Twilio runs the <Redirect> after </Connect>
  opts.redirect_retry_ms = 200;
  auto r = env.call(opts);
  BOOST_TEST_INFO("caller error: " << r.error);
  BOOST_TEST(r.ok);
  BOOST_TEST(r.streams == 2);
  BOOST_REQUIRE(r.resume_gap_ms.size() == 1u);
  BOOST_TEST_MESSAGE("silent gap after a dropped stream: " << r.resume_gap_ms[0] << " ms");
  BOOST_REQUIRE(env.wait_for_no_calls());

  // one call row, one job card, the pick-up counted on both and in the push
  auto calls = env.calls();
  BOOST_REQUIRE(calls.size() == 1u);
  const auto& call = calls[0];
  BOOST_TEST(call.call_sid == r.call_sid);
  BOOST_TEST(call.resumes == 1);
  BOOST_TEST_INFO("end reason: " << storage::end_reason_text(call));
  BOOST_TEST(call.end_reason == end_reason::assistant_hangup); // the script ends with goodbye
  auto job = env.job(r.call_sid);
  BOOST_REQUIRE(job.has_value());
  BOOST_TEST(job->resumes == 1);
  BOOST_TEST(job->details.customer_name == customer);
  BOOST_TEST(env.outbox().size() == 1u);
  BOOST_REQUIRE(env.wait_for_pushes(1, 10'000ms));
  BOOST_TEST(env.pushes().size() == 1u);
  BOOST_TEST(contains(env.pushes()[0], "\"resumes\":1"));

  // the transcript goes on where it was: the first reply after the resume
  // says the call was cut off and names the caller, then the next turns follow
  auto turns = env.turns(r.call_sid);
  std::set<int> seqs;
  for (const auto& t : turns)
    seqs.insert(t.seq);
  BOOST_TEST(seqs.size() == turns.size()); // no turn stored twice under one seq
  auto back = std::find_if(turns.begin(), turns.end(), [](const auto& t) {
    return t.role == speaker::assistant && contains(t.text, "cut off");
  });
  BOOST_REQUIRE(back != turns.end());
  BOOST_TEST(contains(back->text, customer));
  BOOST_TEST(std::any_of(back, turns.end(), [](const auto& t) {
    return t.role == speaker::caller && contains(t.text, "Tomorrow at ten");
  }));
  BOOST_TEST(std::none_of(turns.begin(), back, [](const auto& t) {
    return contains(t.text, "Tomorrow at ten"); // said after the resume only
  }));

  // the new Realtime session was told the conversation so far
  auto stats = env.peer().stats();
  BOOST_TEST(stats.sessions_configured >= 2);
  bool replayed = false;
  for (const auto& [conn, items] : stats.items_created_by_connection)
    for (const auto& item : items)
      replayed |= conn > 1 && contains(item, "user: ") && contains(item, "kitchen sink");
  BOOST_TEST(replayed);
  BOOST_TEST(first_invalid_client_event(env.peer().client_events()) == "");
}

BOOST_AUTO_TEST_CASE(a_caller_who_does_not_come_back_is_finalized_after_the_grace) {
  auto script = named_booking("+15557710002", "Nora Noreturn");
  e2e_env env({.scripts = {script},
               .tune = [](config& c) { c.resume.grace = std::chrono::milliseconds{4'000}; }});
  auto opts = env.caller_for(script);
  opts.vanish_after_turns = 1; // and hangs up: no <Redirect> follows
  auto r = env.call(opts);
  BOOST_TEST_INFO("caller error: " << r.error);
  BOOST_TEST(r.ok);
  // The stream's loss reaches the registry; the grace (4 s) leaves 3.5 s for
  // a loaded sanitizer run to read the held call before it ends.
  std::this_thread::sleep_for(500ms);
  auto held = env.call_record(r.call_sid);
  BOOST_REQUIRE(held.has_value());
  BOOST_TEST(held->end_reason == end_reason::none); // held open for the grace
  BOOST_TEST(env.server().active_calls() == 1);
  BOOST_REQUIRE(env.wait_for_no_calls(10'000ms));
  auto call = env.call_record(r.call_sid);
  BOOST_REQUIRE(call.has_value());
  BOOST_TEST(call->end_reason == end_reason::twilio_socket_lost);
  BOOST_TEST(call->resumes == 0);
  BOOST_TEST(call->ended_at_ms >= call->answered_at_ms);
  auto job = env.job(r.call_sid);
  BOOST_REQUIRE(job.has_value());
  BOOST_TEST(job->details.customer_name == "Nora Noreturn");
  BOOST_REQUIRE(env.wait_for_pushes(1, 10'000ms));
  BOOST_TEST(env.outbox().size() == 1u);
}
