// "Loose ends" 3, double booking: two callers on at once ask for the same
// slot. The first is offered it, so it is held for that call: the second is
// told it is not available. When the first call ends without booking it,
// the hold goes with the call and the slot is free again.
#include "tests/call/call_fixture.hpp"

#define BOOST_TEST_MODULE e2e_holds
#include <boost/test/unit_test.hpp>

#include <rapidjson/document.h>

using namespace sb;
using namespace sb::test;

namespace {

const std::string slot_args = R"({"date":"2030-01-02","time":"10:00"})"; // a Wednesday, open

/// The caller asks for Wednesday at ten, and the model checks the calendar.
/// `then_hold_on`: the caller stays on this long after the answer, then
/// says goodbye, without booking.
sim::call_script asks_for_ten(const std::string& caller_number, int then_hold_on_ms) {
  sim::call_script s;
  s.caller_number = caller_number;
  s.greeting_clip = "one_moment";
  s.turns.push_back(make_turn("Can you come on Wednesday at ten in the morning?", "caller_3",
                              {{"check_availability", slot_args}},
                              "Let me see. I will tell you what I found.", "reply_2"));
  auto bye = make_turn("Actually, never mind. Bye.", "caller_4", {}, "You're welcome. Goodbye!",
                       "reply_4");
  bye.pause_before_ms = then_hold_on_ms;
  s.turns.push_back(bye);
  return s;
}

/// The `available` flag of every check_availability answer the model got,
/// in the order the simulated Realtime peer received them.
std::vector<bool> availability_answers(const std::vector<std::string>& client_events) {
  std::vector<bool> out;
  for (const auto& e : client_events) {
    rapidjson::Document d;
    d.Parse(e.c_str(), e.size());
    if (d.HasParseError() || !d.IsObject() || !d.HasMember("item") || !d["item"].IsObject())
      continue;
    const auto& item = d["item"];
    if (!item.HasMember("type") || std::string{item["type"].GetString()} != "function_call_output")
      continue;
    rapidjson::Document o;
    o.Parse(item["output"].GetString());
    if (o.IsObject() && o.HasMember("available") && o["available"].IsBool())
      out.push_back(o["available"].GetBool());
  }
  return out;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_slot_offered_to_one_live_call_is_not_offered_to_another) {
  // The first caller stays on ~6 s after the answer; the second asks 2.5 s
  // after the first did, so the first call is live when it does.
  auto first = asks_for_ten("+15557650101", 6000);
  auto second = asks_for_ten("+15557650102", 400);
  auto later = asks_for_ten("+15557650103", 400);
  e2e_env env({.scripts = {first, second, later},
               .tune = nullptr,
               .tenant = [](storage::tenant& t) { t.slot_capacity = 1; }}); // one van

  auto results = env.call_all({first, second}, 2500ms, 90s);
  BOOST_REQUIRE(env.wait_for_no_calls());
  for (const auto& r : results) {
    BOOST_TEST_INFO("call " << r.call_sid << ": " << r.error);
    BOOST_TEST(r.ok);
  }
  auto answers = availability_answers(env.peer().client_events());
  BOOST_REQUIRE_EQUAL(answers.size(), 2u);
  BOOST_TEST(answers[0]);  // the first caller is offered ten
  BOOST_TEST(!answers[1]); // the second is not, while the first is on the line

  // Neither call booked: after both ended, ten is free again.
  for (const auto& r : results) {
    auto job = env.job(r.call_sid);
    BOOST_REQUIRE(job.has_value());
    BOOST_TEST(job->details.preferred_time.empty());
  }
  auto r = env.call(later);
  BOOST_TEST_INFO("caller error: " << r.error);
  BOOST_TEST(r.ok);
  BOOST_REQUIRE(env.wait_for_no_calls());
  answers = availability_answers(env.peer().client_events());
  BOOST_REQUIRE_EQUAL(answers.size(), 3u);
  BOOST_TEST(answers[2]);
  BOOST_TEST(env.peer().stats().errors_sent == 0);
  BOOST_TEST(first_invalid_client_event(env.peer().client_events()) == "");
}
