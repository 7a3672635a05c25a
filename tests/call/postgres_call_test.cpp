// Issue 16.1: the demo's booking call through the real server with its
// store on PostgreSQL (a throwaway server, tests/support/pg_server.hpp):
// the call record, the job card, the transcript and the delivered push are
// all read back from PostgreSQL.
#include "tests/call/call_fixture.hpp"
#include "tests/support/pg_server.hpp"

#define BOOST_TEST_MODULE e2e_postgres_call
#include <boost/test/unit_test.hpp>

#include "common/time.hpp"

#include <ctime>

using namespace sb;
using namespace sb::test;

namespace {

std::string tomorrow() {
  std::time_t t = static_cast<std::time_t>(now_ms() / 1000 + 24 * 3600);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_booking_call_stores_its_job_card_and_push_in_postgresql) {
  pg_database pg;
  const std::string caller = "+15557654321";
  auto script = sim::demo_script(caller, tomorrow());
  e2e_env env({.scripts = {script}, .database = pg.url()});
  BOOST_TEST_REQUIRE(env.db_path().rfind("postgresql://", 0) == 0u);
  auto r = env.call(script);
  BOOST_TEST_INFO("caller error: " << r.error);
  BOOST_TEST(r.ok);
  BOOST_REQUIRE(env.wait_for_no_calls());

  auto call = env.call_record(r.call_sid);
  BOOST_REQUIRE(call.has_value());
  BOOST_TEST(call->end_reason == sb::end_reason::assistant_hangup);
  BOOST_TEST(call->status == sb::call_status::completed);
  BOOST_TEST(call->from == caller);
  BOOST_TEST(call->answered_at_ms > 0);

  auto job = env.job(r.call_sid);
  BOOST_REQUIRE(job.has_value());
  BOOST_TEST(job->status == "new");
  BOOST_TEST(job->caller == caller);
  auto expected = expected_booking(script);
  BOOST_TEST(expected.size() == 7u);
  for (const auto& [field, value] : expected) {
    BOOST_TEST_INFO("field " << field);
    BOOST_TEST(booking_field(job->details, field) == value);
  }

  auto turns = env.turns(r.call_sid);
  BOOST_TEST(turns.size() == 1 + 2 * script.turns.size());

  BOOST_REQUIRE(env.wait_for_pushes(1, 10'000ms));
  auto outbox = env.outbox();
  BOOST_REQUIRE(outbox.size() == 1u);
  BOOST_TEST(outbox[0].url == "http://127.0.0.1:" + std::to_string(env.push_port()) + "/push");
  BOOST_TEST(outbox[0].body.find(r.call_sid) != std::string::npos);
  // Delivered: the notifier marked it in PostgreSQL (bounded wait).
  for (int i = 0; i < 100 && env.outbox()[0].delivered_at_ms == 0; ++i)
    std::this_thread::sleep_for(50ms);
  BOOST_TEST(env.outbox()[0].delivered_at_ms > 0);
  BOOST_TEST(env.pushes().size() == 1u);
}
