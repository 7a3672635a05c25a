// Issue 17.4, the post-call analysis: as the call ends, one out-of-band text
// response on the same Realtime session (conversation "none", validated
// against OpenAI's schema) asks for intent, sentiment and a two-line
// summary; the answer is stored on the job card and sent in the push. A peer
// that fails or ignores the request still leaves a job card, marked for
// review, written within [call] analysis_ms.
#include "tests/call/call_fixture.hpp"

#define BOOST_TEST_MODULE e2e_analysis
#include <boost/test/unit_test.hpp>

#include <rapidjson/document.h>

using namespace sb;
using namespace sb::test;
using reply = sim::peer_options::analysis_reply;

namespace {

constexpr auto analysis_timeout = std::chrono::milliseconds{1500};

e2e_options options(const sim::call_script& script, reply r) {
  e2e_options o{.scripts = {script}};
  o.analysis = r;
  o.tune = [](config& c) { c.call.analysis = analysis_timeout; };
  return o;
}

/// The analysis requests the bridge sent, each checked against the schema.
std::vector<std::string> analysis_requests(e2e_env& env) {
  std::vector<std::string> found;
  for (const auto& e : env.peer().client_events())
    if (event_type(e) == "response.create" &&
        e.find(R"("conversation":"none")") != std::string::npos)
      found.push_back(e);
  BOOST_TEST(first_invalid_client_event(found) == "");
  return found;
}

rapidjson::Document last_push(e2e_env& env) {
  rapidjson::Document d;
  BOOST_REQUIRE(env.wait_for_pushes(1, std::chrono::milliseconds{5000}));
  d.Parse(env.pushes().back().c_str());
  BOOST_REQUIRE(d.IsObject());
  return d;
}

} // namespace

BOOST_AUTO_TEST_CASE(the_analysis_is_on_the_card_and_in_the_push) {
  auto script = short_booking_script("+15557170401", "Ana Lysis", "4 Insight Road");
  e2e_env env(options(script, reply::answer));
  auto r = env.call(script);
  BOOST_TEST_INFO("caller error: " << r.error);
  BOOST_REQUIRE(r.ok);
  BOOST_REQUIRE(env.wait_for_no_calls());

  auto requests = analysis_requests(env);
  BOOST_REQUIRE(requests.size() == 1u);
  BOOST_TEST(requests[0].find(R"("output_modalities":["text"])") != std::string::npos);
  BOOST_TEST(requests[0].find("post_call_analysis") != std::string::npos);

  auto job = env.job(r.call_sid);
  BOOST_REQUIRE(job.has_value());
  BOOST_TEST(job->status == "new"); // a complete booking, analysed: nothing to review
  rapidjson::Document a;
  a.Parse(job->analysis.c_str());
  BOOST_REQUIRE(a.IsObject());
  BOOST_TEST(std::string{a["intent"].GetString()} == "book a service");
  BOOST_TEST(std::string{a["sentiment"].GetString()} == "positive");
  std::string summary = a["summary"].GetString();
  BOOST_TEST(summary.find('\n') != std::string::npos, summary); // two lines
  BOOST_TEST(summary.find("spoke 1 times") != std::string::npos, summary);

  auto push = last_push(env);
  BOOST_REQUIRE(push.HasMember("analysis"));
  BOOST_TEST(std::string{push["analysis"]["summary"].GetString()} == summary);
  BOOST_TEST(std::string{push["analysis"]["sentiment"].GetString()} == "positive");
  // Issue 17.6: the booked slot rides along as iCalendar (tests/receptionist/ics_test.cpp).
  BOOST_REQUIRE(push.HasMember("ics"));
  std::string ics = push["ics"].GetString();
  BOOST_TEST(ics.find("BEGIN:VEVENT\r\n") != std::string::npos, ics);
  BOOST_TEST(ics.find("UID:" + r.call_sid + "@switchboard\r\n") != std::string::npos, ics);
}

void expect_review_within_timeout(reply r, const std::string& caller) {
  auto script = short_booking_script(caller, "Rae View", "5 Audit Avenue");
  e2e_env env(options(script, r));
  auto res = env.call(script);
  BOOST_TEST_INFO("caller error: " << res.error);
  BOOST_REQUIRE(res.ok);
  BOOST_REQUIRE(env.wait_for_no_calls());
  BOOST_TEST(analysis_requests(env).size() == 1u);

  auto job = env.job(res.call_sid);
  BOOST_REQUIRE(job.has_value()); // not lost
  BOOST_TEST(job->status == "needs_review");
  BOOST_TEST(job->analysis.empty());
  BOOST_TEST(job->details.customer_name == "Rae View");
  auto call = env.call_record(res.call_sid);
  BOOST_REQUIRE(call.has_value());
  // Not delayed beyond the timeout: the card is written when it expires at
  // the latest (with slack for a loaded machine, far below a second timeout).
  auto waited = job->created_at_ms - call->ended_at_ms;
  BOOST_TEST(waited <= analysis_timeout.count() + 1000, "card written " << waited << " ms after");
  if (r == reply::ignore) // nothing came back: it waited the timeout out
    BOOST_TEST(waited >= analysis_timeout.count() - 50, "card written " << waited << " ms after");

  auto push = last_push(env);
  BOOST_TEST(std::string{push["status"].GetString()} == "needs_review");
  BOOST_TEST(!push.HasMember("analysis"));
}

BOOST_AUTO_TEST_CASE(a_failed_analysis_leaves_a_card_for_review) {
  expect_review_within_timeout(reply::fail, "+15557170402");
}

BOOST_AUTO_TEST_CASE(an_ignored_analysis_leaves_a_card_for_review_after_the_timeout) {
  expect_review_within_timeout(reply::ignore, "+15557170403");
}
