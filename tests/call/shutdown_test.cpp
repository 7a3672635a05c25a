// Issue 15.4: a server stopped while connections are still open stops, in
// bounded time, and its live call is finalized. Before the fix, a
// WebSocket still closing when the io loop stopped never finished: its
// handlers kept it, the server's route handlers and their actor handles
// alive, and ~actor_system waited forever for the detached storage actor
// (seen as a hang in 1 of 3-4 runs of tests that stopped a server with a
// call live). A caller that never answers the close frame makes that
// window 2 s wide (the WebSocket's own close bound), so without the fix
// this test hangs every time; it then fails at its own bound instead of
// CTest's timeout.
#include "tests/call/call_fixture.hpp"

#define BOOST_TEST_MODULE e2e_shutdown
#include <boost/test/unit_test.hpp>

#include "storage/store.hpp"
#include "tests/call/raw_twilio.hpp"
#include "tests/console/console_client.hpp"

#include <cstdio>
#include <cstdlib>
#include <future>
#include <thread>

using namespace sb;
using namespace sb::test;

namespace {

constexpr const char* console_token = "operator-token-for-shutdown-tests-1";

/// Stops the server on another thread; a stop that outlasts `bound` is a
/// hang that nothing can end (a thread blocked in ~actor_system), so the
/// test process reports it and exits at once rather than at CTest's timeout.
std::chrono::milliseconds stop_within(e2e_env& env, std::chrono::seconds bound) {
  const auto t0 = std::chrono::steady_clock::now();
  auto stopped = std::async(std::launch::async, [&env] { env.stop_server(); });
  if (stopped.wait_for(bound) != std::future_status::ready) {
    std::fprintf(stderr, "FAIL: the server did not stop within %llds (hung in shutdown)\n",
                 static_cast<long long>(bound.count()));
    std::fflush(stderr);
    std::_Exit(3);
  }
  stopped.get();
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               t0);
}

} // namespace

BOOST_AUTO_TEST_CASE(a_server_stops_while_its_caller_never_answers_the_close_and_a_feed_is_open) {
  auto script = short_booking_script("+15557650031", "Sid Silent", "1 Quiet Lane");
  e2e_env env({.scripts = {script}, .tune = [](config& c) { c.console.token = console_token; }});
  // An operator watching: the console's live feed stays open into the stop.
  const std::string base = env.server_url();
  auto session = sb::console::test::login(env.io(), base, console_token);
  sb::console::test::feed_client feed(env.io(), base, session);
  BOOST_REQUIRE_EQUAL(feed.status, 0);

  // The caller reads the server's first frame, then nothing more: it never
  // sees, so never answers, the close frame the server sends at the stop.
  raw_twilio tw(env.io(), env, script.caller_number);
  tw.stop_reading();
  tw.send(tw.connected());
  tw.send(tw.start());
  BOOST_REQUIRE(eventually([&] { return tw.frames_received() >= 1; }, 15'000ms, 20ms));
  BOOST_REQUIRE(eventually([&] { return env.server().active_calls() == 1; }, 5'000ms, 20ms));

  // The fixture gives calls 1 s to end on their own (shutdown_grace), then
  // the server ends them, closes every connection (3 s at most) and stops.
  auto took = stop_within(env, 30s);
  BOOST_TEST_MESSAGE("stopped in " << took.count() << " ms");
  BOOST_TEST(took.count() < 10'000);

  auto call = env.call_record(tw.call_sid());
  BOOST_REQUIRE(call.has_value());
  BOOST_TEST(call->ended_at_ms > 0);
  BOOST_TEST(call->end_reason == sb::end_reason::shutdown);
  BOOST_TEST(env.job(tw.call_sid()).has_value());
  BOOST_TEST(eventually([&] { return feed.closed(); }, 5'000ms, 20ms));
}

// The same stop, five times over on one database, each with a call whose
// caller answers normally: the race the first case widens, at its natural
// width (a few milliseconds between the call's close and the loop's stop).
BOOST_AUTO_TEST_CASE(a_server_stopped_with_a_live_call_stops_every_time) {
  auto script = short_booking_script("+15557650032", "Rita Repeat", "5 Again Avenue");
  e2e_env env({.scripts = {script}});
  for (int round = 0; round < 5; ++round) {
    BOOST_TEST_CONTEXT("round " << round) {
      if (round > 0)
        env.start_server();
      raw_twilio tw(env.io(), env, script.caller_number);
      tw.send(tw.connected());
      tw.send(tw.start());
      BOOST_REQUIRE(eventually([&] { return env.server().active_calls() == 1; }, 10'000ms, 20ms));
      BOOST_REQUIRE(eventually([&] { return tw.frames_received() >= 1; }, 15'000ms, 20ms));
      stop_within(env, 30s);
      BOOST_TEST(tw.wait_closed(5'000ms));
      auto call = env.call_record(tw.call_sid());
      BOOST_REQUIRE(call.has_value());
      BOOST_TEST(call->end_reason == sb::end_reason::shutdown);
    }
  }
}
