// The per-tenant concurrency limit held across nodes, in the store (issue
// 16.2, store::admit_call): two nodes, each on its own connection, admit one
// tenant's calls from threads at once and exactly the limit gets in; a
// finalized call frees its slot; a dead node's calls stop holding slots once
// its lease expires (and hold them again once a survivor claims them); a
// retried CallSid is already admitted; on PostgreSQL a tenant lock held too
// long is an error, not a wait without end.
// Runs against SQLite files and (cluster_limit_store_test_pg) PostgreSQL.
#define BOOST_TEST_MODULE cluster_limit_store
#include "storage/store.hpp"
#include "tests/storage/store_fixtures.hpp"
#include "tests/storage/test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <libpq-fe.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

using sb::storage::store;
using sb::test::sample_call;
using sb::test::temp_dir;
using admission = sb::storage::store::admission;

namespace {

std::unique_ptr<store> open_store(const std::string& where) {
  auto s = store::open(where);
  BOOST_TEST_REQUIRE(s.ok(), (s.ok() ? "" : s.err().message));
  return std::move(*s);
}

sb::storage::call_record call_on(const std::string& sid, const std::string& node) {
  auto c = sample_call(sid);
  c.node_id = node;
  return c;
}

admission admit(store& db, const std::string& sid, const std::string& node, int limit) {
  auto r = db.admit_call(call_on(sid, node), limit, 5'000);
  BOOST_TEST_REQUIRE(r.ok(), (r.ok() ? "" : r.err().message));
  return *r;
}

int open_calls_of(store& db, const std::string& node) {
  auto open = db.open_calls(node);
  BOOST_TEST_REQUIRE(open.ok());
  return static_cast<int>(open->size());
}

void finalize(store& db, const std::string& sid, const std::string& node) {
  auto done = sb::test::ended(call_on(sid, node));
  BOOST_TEST_REQUIRE(db.finalize_call(done, sb::test::sample_job(), "", "").ok());
}

bool lease_expired(store& db, const std::string& id) {
  auto nodes = db.list_nodes();
  BOOST_TEST_REQUIRE(nodes.ok());
  for (const auto& n : *nodes)
    if (n.node_id == id)
      return n.expired();
  return false;
}

} // namespace

BOOST_AUTO_TEST_SUITE(cluster_limit)

BOOST_AUTO_TEST_CASE(two_nodes_admitting_at_once_let_in_exactly_the_limit) {
  temp_dir dir;
  const auto where = dir.store_location("race.db");
  auto a = open_store(where);
  auto b = open_store(where); // the second node: its own connection, its own thread
  BOOST_TEST_REQUIRE(a->heartbeat("node-a", "https://a", 60'000, true).ok());
  BOOST_TEST_REQUIRE(b->heartbeat("node-b", "https://b", 60'000, true).ok());
  constexpr int limit = 3;
  for (int round = 0; round < 4; ++round) {
    const std::string r = "r" + std::to_string(round);
    std::atomic<int> admitted{0}, busy{0}, failed{0};
    auto node = [&](store& db, const std::string& id) {
      for (int i = 0; i < 8; ++i) {
        auto v = db.admit_call(call_on("CA" + r + id + std::to_string(i), id), limit, 5'000);
        if (!v.ok())
          ++failed;
        else if (*v == admission::admitted)
          ++admitted;
        else if (*v == admission::busy)
          ++busy;
      }
    };
    std::thread ta([&] { node(*a, "node-a"); });
    std::thread tb([&] { node(*b, "node-b"); });
    ta.join();
    tb.join();
    BOOST_TEST(failed.load() == 0);
    BOOST_TEST(admitted.load() == limit, "round " << round);
    BOOST_TEST(busy.load() == 16 - limit, "round " << round);
    BOOST_TEST(open_calls_of(*a, "node-a") + open_calls_of(*a, "node-b") == limit);
    // Every call of the round ends: the next round starts from none.
    for (const auto& id : {"node-a", "node-b"}) {
      auto open = a->open_calls(id);
      BOOST_TEST_REQUIRE(open.ok());
      for (const auto& c : *open)
        finalize(*a, c.call_sid, id);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_finalized_call_frees_its_slot_for_the_other_node) {
  temp_dir dir;
  const auto where = dir.store_location("free.db");
  auto a = open_store(where);
  auto b = open_store(where);
  BOOST_TEST_REQUIRE(a->heartbeat("node-a", "https://a", 60'000, true).ok());
  BOOST_TEST_REQUIRE(b->heartbeat("node-b", "https://b", 60'000, true).ok());
  BOOST_TEST((admit(*a, "CA1", "node-a", 2) == admission::admitted));
  BOOST_TEST((admit(*b, "CA2", "node-b", 2) == admission::admitted));
  BOOST_TEST((admit(*b, "CA3", "node-b", 2) == admission::busy));
  BOOST_TEST((admit(*a, "CA4", "node-a", 2) == admission::busy));
  BOOST_TEST(!a->get_call("CA3")->has_value()); // a refused call writes nothing
  finalize(*a, "CA1", "node-a");
  BOOST_TEST((admit(*b, "CA3", "node-b", 2) == admission::admitted));
  BOOST_TEST((admit(*a, "CA4", "node-a", 2) == admission::busy));
  // Another tenant is counted apart.
  auto other = call_on("CA5", "node-a");
  other.tenant_number = other.to = "+15557770000";
  auto r = a->admit_call(other, 2, 5'000);
  BOOST_TEST_REQUIRE(r.ok());
  BOOST_TEST((*r == admission::admitted));
}

BOOST_AUTO_TEST_CASE(a_retried_call_sid_is_already_admitted_and_written_once_unless_it_ended) {
  temp_dir dir;
  const auto where = dir.store_location("retry.db");
  auto a = open_store(where);
  BOOST_TEST_REQUIRE(a->heartbeat("node-a", "https://a", 60'000, true).ok());
  BOOST_TEST((admit(*a, "CA1", "node-a", 1) == admission::admitted));
  auto row = a->get_call("CA1");
  BOOST_TEST_REQUIRE(row.ok());
  BOOST_TEST_REQUIRE(row->has_value());
  BOOST_TEST((*row)->node_id == "node-a"); // the row begin_call writes, with its node
  BOOST_TEST((*row)->from == "+15559870000");
  // Full, yet the same call (Twilio retried its webhook) still rings through.
  BOOST_TEST((admit(*a, "CA1", "node-a", 1) == admission::already_admitted));
  BOOST_TEST((admit(*a, "CA2", "node-a", 1) == admission::busy));
  BOOST_TEST(open_calls_of(*a, "node-a") == 1);
  // A call turned away and stored for its voicemail (ended): its retried
  // webhook is turned away again, even with room now.
  auto refused = sb::test::ended(call_on("CA2", "node-a"));
  refused.end_reason = sb::end_reason::over_limit;
  BOOST_TEST_REQUIRE(a->finalize_call(refused, sb::test::sample_job(), "", "").ok());
  finalize(*a, "CA1", "node-a");
  BOOST_TEST((admit(*a, "CA2", "node-a", 1) == admission::busy));
  BOOST_TEST((admit(*a, "CA3", "node-a", 1) == admission::admitted));
}

BOOST_AUTO_TEST_CASE(a_dead_nodes_calls_stop_holding_slots_when_its_lease_expires) {
  temp_dir dir;
  const auto where = dir.store_location("dead.db");
  auto a = open_store(where);
  auto b = open_store(where);
  BOOST_TEST_REQUIRE(a->heartbeat("node-a", "https://a", 300, true).ok());
  BOOST_TEST_REQUIRE(b->heartbeat("node-b", "https://b", 60'000, true).ok());
  BOOST_TEST((admit(*a, "CA1", "node-a", 2) == admission::admitted));
  BOOST_TEST((admit(*a, "CA2", "node-a", 2) == admission::admitted));
  BOOST_TEST((admit(*b, "CA3", "node-b", 2) == admission::busy)); // node-a is alive
  // node-a dies: no more heartbeats.
  for (int i = 0; i < 100 && !lease_expired(*b, "node-a"); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
  BOOST_TEST_REQUIRE(lease_expired(*b, "node-a"));
  BOOST_TEST((admit(*b, "CA3", "node-b", 2) == admission::admitted));
  // node-a's own calls still count for node-a (it is alive to itself).
  BOOST_TEST((admit(*a, "CA4", "node-a", 2) == admission::busy));
  // node-b takes node-a's calls over: they are live again, now node-b's.
  auto claimed = b->claim_calls("node-a", "node-b", "");
  BOOST_TEST_REQUIRE(claimed.ok());
  BOOST_TEST(claimed->size() == 2u);
  finalize(*b, "CA3", "node-b");
  BOOST_TEST((admit(*b, "CA5", "node-b", 2) == admission::busy));
}

BOOST_AUTO_TEST_CASE(a_tenant_lock_held_too_long_is_an_error_within_the_wait) {
  if (!sb::test::testing_postgres())
    return; // SQLite's wait is its busy timeout (storage/sqlite_db.cpp)
  temp_dir dir;
  const auto where = dir.store_location("lock.db");
  auto a = open_store(where);
  BOOST_TEST_REQUIRE(a->heartbeat("node-a", "https://a", 60'000, true).ok());
  // Another session holds the tenant's lock (as a node stuck mid-admission).
  PGconn* other = PQconnectdb(where.c_str());
  BOOST_TEST_REQUIRE(PQstatus(other) == CONNECTION_OK);
  PGresult* held = PQexec(other, "SELECT pg_advisory_lock(1396853837, hashtext('+15551230000'))");
  BOOST_TEST_REQUIRE(PQresultStatus(held) == PGRES_TUPLES_OK);
  PQclear(held);
  const auto start = std::chrono::steady_clock::now();
  auto r = a->admit_call(call_on("CA1", "node-a"), 2, 300);
  const auto waited = std::chrono::steady_clock::now() - start;
  BOOST_TEST_REQUIRE(!r.ok());
  BOOST_TEST(r.err().message.find("55P03") != std::string::npos, r.err().message);
  BOOST_TEST(waited < std::chrono::seconds{5});
  BOOST_TEST(!a->get_call("CA1")->has_value());
  PQfinish(other); // the lock goes with the session
  BOOST_TEST((admit(*a, "CA1", "node-a", 2) == admission::admitted));
}

BOOST_AUTO_TEST_SUITE_END()
