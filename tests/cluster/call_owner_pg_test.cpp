// A call-next for a call another node holds (docs/protocols.md, "A call-next
// request reaching a node that does not hold the call"): the node answering
// it must not send the caller to an owner that has just died. A CI run of the
// cluster demo did: the owner, SIGKILLed, had a heartbeat in flight; the
// database wrote it just after the survivor asked, the survivor took it for
// a sign of life and redirected the caller to the dead node. Here the owner
// is a node no process runs, given one heartbeat by the test after the
// request, and nothing more. A real, throwaway PostgreSQL server and a real
// server on 127.0.0.1.
#define BOOST_TEST_MODULE call_owner_pg
#include "tests/app/app_fixture.hpp"
#include "tests/storage/store_fixtures.hpp"
#include "tests/support/pg_server.hpp"

#include "storage/store.hpp"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <thread>

using namespace sb;
using namespace sb::app::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* call_next_path = "/telephony/realtime-call-next";
constexpr const char* owner_url = "http://127.0.0.1:9"; // the discard port: nobody answers

/// A store on `url` where node-1 holds a fresh lease and the open call `sid`.
std::unique_ptr<storage::store> owner_holding(const std::string& url, const std::string& sid) {
  auto opened = storage::store::open(url);
  BOOST_TEST_REQUIRE(opened.ok(), (opened.ok() ? "" : opened.err().message));
  auto db = std::move(*opened);
  BOOST_TEST_REQUIRE(db->heartbeat("node-1", owner_url, 1'000, true).ok());
  auto call = test::sample_call(sid);
  call.node_id = "node-1";
  BOOST_TEST_REQUIRE(db->begin_call(call).ok());
  return db;
}

/// node-2, on the same database, with a 1 s lease.
std::function<void(config&)> survivor(const std::string& url) {
  return [url](config& c) {
    c.storage.path = url;
    c.server.node_id = "node-2";
    c.cluster.lease = 1'000ms;
  };
}

} // namespace

BOOST_AUTO_TEST_CASE(one_late_heartbeat_of_a_dead_owner_does_not_send_its_caller_there) {
  test::pg_database pg;
  auto db = owner_holding(pg.url(), "CAowner1");
  test_server s(survivor(pg.url()));
  auto answer =
      s.post_form_async(call_next_path, {{"AccountSid", "ACtest"}, {"CallSid", "CAowner1"}});
  // The heartbeat a dying node had in flight, written after the request.
  std::this_thread::sleep_for(150ms);
  BOOST_TEST_REQUIRE(db->heartbeat("node-1", owner_url, 1'000, false).ok());

  BOOST_TEST_REQUIRE((answer.wait_for(10s) == std::future_status::ready));
  auto r = answer.get();
  BOOST_TEST(r.status == 200);
  BOOST_TEST_INFO("answer: " << r.body);
  BOOST_TEST(r.body.find(owner_url) == std::string::npos); // not sent to the dead node
  BOOST_TEST(r.body.find("<Stream") != std::string::npos); // picked up here
  auto owner = db->call_owner("CAowner1");
  BOOST_TEST_REQUIRE(owner.ok());
  BOOST_TEST_REQUIRE(owner->has_value());
  BOOST_TEST((*owner)->node_id == "node-2");
}

BOOST_AUTO_TEST_CASE(an_owner_that_keeps_its_lease_gets_its_caller_back) {
  test::pg_database pg;
  auto db = owner_holding(pg.url(), "CAowner2");
  test_server s(survivor(pg.url()));
  std::atomic<bool> done{false};
  std::thread beats([&] { // node-1 lives: a heartbeat every lease / 3
    for (int i = 0; i < 30 && !done; ++i) {
      (void)db->heartbeat("node-1", owner_url, 1'000, false);
      std::this_thread::sleep_for(333ms);
    }
  });
  auto answer =
      s.post_form_async(call_next_path, {{"AccountSid", "ACtest"}, {"CallSid", "CAowner2"}});
  const bool ready = answer.wait_for(10s) == std::future_status::ready;
  done = true;
  beats.join();
  BOOST_TEST_REQUIRE(ready);
  auto r = answer.get();
  BOOST_TEST(r.status == 200);
  BOOST_TEST_INFO("answer: " << r.body);
  BOOST_TEST(r.body.find(std::string{"<Redirect method=\"POST\">"} + owner_url + call_next_path) !=
             std::string::npos);
}
