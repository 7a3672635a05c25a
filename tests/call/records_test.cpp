// Issue 18, truthful records, end to end: what the call costs is priced
// once from each response.done's usage and stored on the call, its job card
// and the push; and the tenant's business reaches the Realtime session.
#include "tests/call/call_fixture.hpp"

#define BOOST_TEST_MODULE e2e_records
#include <boost/test/unit_test.hpp>

#include <rapidjson/document.h>

using namespace sb;
using namespace sb::test;

namespace {

/// What the simulated OpenAI reports on every response.done: input counts
/// include their cached part, as the service reports them.
proto::token_usage per_response_usage() {
  proto::token_usage u;
  u.input_text = 1000;
  u.input_cached_text = 200;
  u.input_audio = 3000;
  u.input_cached_audio = 1000;
  u.input_cached = 1200;
  u.output_text = 100;
  u.output_audio = 2000;
  return u;
}

/// One response at config.toml's default gpt-realtime prices (USD per 1M
/// tokens), by hand: 800 text in x 4.00 + 200 cached text x 0.40 + 2000
/// audio in x 32.00 + 1000 cached audio x 0.40 + 100 text out x 16.00 +
/// 2000 audio out x 64.00 = 3200 + 80 + 64000 + 400 + 1600 + 128000 =
/// 197280 per million tokens.
constexpr double usd_per_response = 0.197280;

/// The session.update the bridge sent first, parsed.
rapidjson::Document first_session_update(const std::vector<std::string>& events) {
  rapidjson::Document d;
  for (const auto& e : events) {
    if (event_type(e) != "session.update")
      continue;
    d.Parse(e.c_str(), e.size());
    return d;
  }
  BOOST_FAIL("no session.update was sent");
  return d;
}

std::string str_at(const rapidjson::Value& o, const char* key) {
  auto it = o.FindMember(key);
  return it != o.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

} // namespace

BOOST_AUTO_TEST_CASE(the_cost_priced_from_each_response_done_is_stored_on_call_job_and_push) {
  auto script = short_booking_script("+15557650018", "Cora Cost", "18 Ledger Lane");
  e2e_env env({.scripts = {script}, .fixed_usage = per_response_usage()});
  auto r = env.call(script);
  BOOST_TEST_INFO("caller error: " << r.error);
  BOOST_TEST(r.ok);
  BOOST_REQUIRE(env.wait_for_no_calls());

  // Every response.done the peer sent reached the bridge before the call
  // ended (the hang-up waits for the last one), so the call's usage is
  // exactly `responses` times the fixed usage.
  const int responses = env.peer().stats().responses;
  BOOST_TEST_MESSAGE(responses << " responses");
  BOOST_REQUIRE(responses >= 2); // the greeting and the reply at least
  auto call = env.call_record(r.call_sid);
  BOOST_REQUIRE(call.has_value());
  BOOST_TEST(call->usage.input_text == 1000 * responses);
  BOOST_TEST(call->usage.input_cached_text == 200 * responses);
  BOOST_TEST(call->usage.input_cached_audio == 1000 * responses);
  BOOST_TEST(call->usage.output_audio == 2000 * responses);
  const double expected = usd_per_response * responses;
  BOOST_TEST(call->cost_usd == expected, boost::test_tools::tolerance(1e-12));

  auto job = env.job(r.call_sid);
  BOOST_REQUIRE(job.has_value());
  BOOST_TEST(job->cost_usd == expected, boost::test_tools::tolerance(1e-12));

  BOOST_REQUIRE(env.wait_for_pushes(1, 10'000ms));
  rapidjson::Document push;
  push.Parse(env.pushes()[0].c_str());
  BOOST_REQUIRE(push.IsObject());
  BOOST_REQUIRE(push.HasMember("costUsd"));
  BOOST_TEST(push["costUsd"].GetDouble() == expected, boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(the_tenants_business_reaches_the_session_instructions) {
  auto script = short_booking_script("+15557650019", "Tess Tenant", "19 Context Road");
  e2e_env env({.scripts = {script}, .tenant = [](storage::tenant& t) {
                 t.name = "Quill & Sons Drainage";
                 t.context = "Drain unblocking and CCTV drain surveys; no gas work.";
                 t.hours = "mon-fri 07:30-16:30; sat 09:00-12:00";
                 t.timezone = "Europe/London";
                 t.voice = "cedar";
               }});
  auto r = env.call(script);
  BOOST_TEST_INFO("caller error: " << r.error);
  BOOST_TEST(r.ok);
  BOOST_REQUIRE(env.wait_for_no_calls());

  // What the simulated OpenAI received, not what the bridge meant to send.
  auto update = first_session_update(env.peer().client_events());
  BOOST_REQUIRE(update.IsObject());
  BOOST_REQUIRE(update.HasMember("session"));
  const auto& session = update["session"];
  const std::string instructions = str_at(session, "instructions");
  BOOST_TEST_INFO("instructions: " << instructions);
  for (const char* fact :
       {"Quill & Sons Drainage", "Drain unblocking and CCTV drain surveys; no gas work.",
        "mon-fri 07:30-16:30; sat 09:00-12:00", "Europe/London", "+15557650019"})
    BOOST_TEST(instructions.find(fact) != std::string::npos, "instructions name " << fact);
  BOOST_REQUIRE(session.HasMember("audio"));
  BOOST_TEST(str_at(session["audio"]["output"], "voice") == "cedar");
  BOOST_TEST(env.peer().stats().sessions_configured >= 1); // the peer accepted it
  BOOST_TEST(first_invalid_client_event(env.peer().client_events()) == "");
}
