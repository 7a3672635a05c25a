// Issue 3 at scale: fifty calls at once, each its own caller with its own
// booking. Every call is finalized and every job card carries ITS caller's
// details: nothing crosses between calls.
#include "tests/call/call_fixture.hpp"

#define BOOST_TEST_MODULE e2e_concurrency
#include <boost/test/unit_test.hpp>

#include <map>
#include <rapidjson/document.h>
#include <set>

using namespace sb;
using namespace sb::test;

namespace {

constexpr int calls = 50;

std::string number_of(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "+1555200%04d", i);
  return buf;
}

} // namespace

BOOST_AUTO_TEST_CASE(fifty_concurrent_calls_no_cross_talk) {
  std::vector<sim::call_script> scripts;
  std::map<std::string, std::string> name_of, address_of; // caller number -> booking
  for (int i = 1; i <= calls; ++i) {
    auto n = number_of(i);
    name_of[n] = "Customer " + std::to_string(i);
    address_of[n] = std::to_string(i) + " Parallel Street";
    scripts.push_back(short_booking_script(n, name_of[n], address_of[n], "one_moment"));
  }
  e2e_env env({.scripts = scripts, .tune = [](config& c) { c.server.io_threads = 2; }});
  auto results = env.call_all(scripts, 50ms, 150s);
  BOOST_REQUIRE(env.wait_for_no_calls(30'000ms));

  int ok = 0;
  for (const auto& r : results) {
    BOOST_TEST_INFO("call " << r.call_sid << ": " << r.error);
    BOOST_TEST(r.ok);
    ok += r.ok ? 1 : 0;
  }
  BOOST_TEST(ok == calls);

  auto stored = env.calls();
  BOOST_TEST(stored.size() == static_cast<std::size_t>(calls));
  std::set<std::string> seen;
  for (const auto& r : results) {
    auto call = env.call_record(r.call_sid);
    BOOST_REQUIRE(call.has_value());
    BOOST_TEST_INFO("call from " << call->from << " (" << r.call_sid << ")");
    BOOST_TEST(call->end_reason == sb::end_reason::assistant_hangup);
    BOOST_TEST(call->status == sb::call_status::completed);
    BOOST_TEST(call->openai_reconnects == 0);
    auto job = env.job(r.call_sid);
    BOOST_REQUIRE(job.has_value());
    BOOST_TEST(job->status == "new");
    BOOST_TEST(job->caller == call->from);
    BOOST_TEST(job->details.customer_name == name_of[call->from]);
    BOOST_TEST(job->details.address == address_of[call->from]);
    BOOST_TEST(job->details.callback_phone == call->from);
    seen.insert(call->from);
    auto turns = env.turns(r.call_sid);
    BOOST_TEST(turns.size() == 3u); // greeting, the caller, the goodbye
  }
  BOOST_TEST(seen.size() == static_cast<std::size_t>(calls));
  auto stats = env.peer().stats();
  BOOST_TEST(stats.errors_sent == 0);
  BOOST_TEST(stats.sessions_configured == calls);

  // Every business notification arrives, each naming its own call.
  BOOST_TEST(env.wait_for_pushes(calls, 30'000ms));
  std::set<std::string> pushed_sids;
  for (const auto& p : env.pushes()) {
    rapidjson::Document d;
    d.Parse(p.c_str());
    BOOST_REQUIRE(d.IsObject());
    std::string caller = d["caller"].GetString();
    BOOST_TEST(std::string{d["job"]["customer_name"].GetString()} == name_of[caller]);
    pushed_sids.insert(d["callSid"].GetString());
  }
  BOOST_TEST(pushed_sids.size() == static_cast<std::size_t>(calls));
  BOOST_TEST(first_invalid_client_event(env.peer().client_events()) == "");
}
