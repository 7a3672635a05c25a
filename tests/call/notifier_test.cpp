// Issue 3, the business gets its job card even when its endpoint is down:
// the outbox in SQLite is retried with backoff, and survives a restart.
#include "tests/call/call_fixture.hpp"

#define BOOST_TEST_MODULE e2e_notifier
#include <boost/test/unit_test.hpp>

#include <rapidjson/document.h>

#include <thread>

using namespace sb;
using namespace sb::test;

namespace {

/// The outbox's first entry once `ready` holds for it (polled every 50 ms,
/// at most `bound`); nullopt if it never does.
template <class Ready>
std::optional<storage::outbox_entry> wait_for_outbox(e2e_env& env, std::chrono::milliseconds bound,
                                                     Ready ready) {
  std::optional<storage::outbox_entry> found;
  eventually(
      [&] {
        auto out = env.outbox();
        if (!out.empty() && ready(out[0]))
          found = out[0];
        return found.has_value();
      },
      bound, 50ms);
  return found;
}

/// Waits until the outbox has an entry with at least one failed attempt.
std::optional<storage::outbox_entry> wait_for_failed_attempt(e2e_env& env,
                                                             std::chrono::milliseconds bound) {
  return wait_for_outbox(env, bound, [](const auto& e) { return e.attempts >= 1; });
}

/// Waits until the outbox's entry is delivered.
std::optional<storage::outbox_entry> wait_for_delivery(e2e_env& env,
                                                       std::chrono::milliseconds bound) {
  return wait_for_outbox(env, bound, [](const auto& e) { return e.delivered_at_ms > 0; });
}

void expect_pushed(e2e_env& env, const std::string& call_sid, const std::string& customer) {
  auto pushes = env.pushes();
  BOOST_REQUIRE(!pushes.empty());
  rapidjson::Document d;
  d.Parse(pushes.back().c_str());
  BOOST_REQUIRE(d.IsObject());
  BOOST_TEST(std::string{d["callSid"].GetString()} == call_sid);
  BOOST_TEST(std::string{d["job"]["customer_name"].GetString()} == customer);
}

} // namespace

BOOST_AUTO_TEST_CASE(notifier_delivers_after_endpoint_comes_back) {
  auto script = short_booking_script("+15557650010", "Nora Notify", "10 Retry Road");
  e2e_env env({.scripts = {script}, .push_endpoint_up = false});
  auto r = env.call(script);
  BOOST_TEST_INFO("caller error: " << r.error);
  BOOST_TEST(r.ok);
  BOOST_REQUIRE(env.wait_for_no_calls());

  auto failed = wait_for_failed_attempt(env, 5000ms);
  BOOST_REQUIRE(failed.has_value());
  BOOST_TEST(failed->delivered_at_ms == 0);
  BOOST_TEST(!failed->last_error.empty());
  BOOST_TEST(env.outbox().size() == 1u);

  env.start_push_endpoint();
  auto delivered = wait_for_delivery(env, 10'000ms);
  BOOST_REQUIRE(delivered.has_value());
  BOOST_TEST(delivered->attempts >= 1);
  BOOST_REQUIRE(env.wait_for_pushes(1, 2000ms));
  expect_pushed(env, r.call_sid, "Nora Notify");
  // Delivered means delivered once: no further attempts.
  std::this_thread::sleep_for(1000ms);
  BOOST_TEST(env.pushes().size() == 1u);
}

BOOST_AUTO_TEST_CASE(notifier_delivers_after_a_restart) {
  auto script = short_booking_script("+15557650012", "Rita Restart", "12 Reboot Row");
  e2e_env env({.scripts = {script}, .push_endpoint_up = false});
  auto r = env.call(script);
  BOOST_TEST(r.ok);
  BOOST_REQUIRE(env.wait_for_no_calls());
  BOOST_REQUIRE(wait_for_failed_attempt(env, 5000ms).has_value());

  env.stop_server(); // the entry is still undelivered, on disk
  BOOST_TEST(env.outbox().at(0).delivered_at_ms == 0);
  env.start_push_endpoint();
  std::this_thread::sleep_for(500ms);
  BOOST_TEST(env.pushes().empty()); // nobody delivers while the server is down

  env.start_server(); // a new process, in effect: same database
  auto delivered = wait_for_delivery(env, 10'000ms);
  BOOST_REQUIRE(delivered.has_value());
  BOOST_REQUIRE(env.wait_for_pushes(1, 2000ms));
  expect_pushed(env, r.call_sid, "Rita Restart");
}
