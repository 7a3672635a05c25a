// Several nodes on one database, in the store (issue 16.2): each node's
// lease by its heartbeat on the database's clock, the takeover of a dead
// node's open calls exactly once by survivors racing for them (each on its
// own connection, in its own thread), a node starting again after the
// takeover finding none of them, a call's owner, and `nodes list`.
// Runs against SQLite files and (lease_store_test_pg) PostgreSQL.
#define BOOST_TEST_MODULE lease_store
#include "app/node_commands.hpp"
#include "storage/store.hpp"
#include "tests/storage/store_fixtures.hpp"
#include "tests/storage/test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <set>
#include <sstream>
#include <thread>

using sb::storage::store;
using sb::test::sample_call;
using sb::test::temp_dir;

namespace {

std::unique_ptr<store> open_store(const std::string& where) {
  auto s = store::open(where);
  BOOST_TEST_REQUIRE(s.ok(), (s.ok() ? "" : s.err().message));
  return std::move(*s);
}

void begin_on(store& db, const std::string& sid, const std::string& node) {
  auto c = sample_call(sid);
  c.node_id = node;
  BOOST_TEST_REQUIRE(db.begin_call(c).ok());
}

sb::storage::node_info node_named(store& db, const std::string& id) {
  auto nodes = db.list_nodes();
  BOOST_TEST_REQUIRE(nodes.ok(), (nodes.ok() ? "" : nodes.err().message));
  for (const auto& n : *nodes)
    if (n.node_id == id)
      return n;
  BOOST_FAIL("no node " + id);
  return {};
}

/// Waits (bounded) until `id`'s lease has expired on the database's clock.
void wait_expired(store& db, const std::string& id) {
  for (int i = 0; i < 100; ++i) {
    if (node_named(db, id).expired())
      return;
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
  }
  BOOST_FAIL("the lease of " + id + " never expired");
}

std::set<std::string> sids(const std::vector<sb::storage::call_record>& calls) {
  std::set<std::string> out;
  for (const auto& c : calls)
    out.insert(c.call_sid);
  return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(lease)

BOOST_AUTO_TEST_CASE(a_heartbeat_lists_the_node_with_its_url_lease_and_open_calls) {
  temp_dir dir;
  auto db = open_store(dir.store_location("nodes.db"));
  BOOST_TEST_REQUIRE(db->heartbeat("node-a", "https://a.example.com", 3000, true).ok());
  begin_on(*db, "CA1", "node-a");
  begin_on(*db, "CA2", "node-a");
  auto done = sb::test::ended(sample_call("CA3"));
  done.node_id = "node-a";
  BOOST_TEST_REQUIRE(db->begin_call(done).ok());
  BOOST_TEST_REQUIRE(db->finalize_call(done, sb::test::sample_job(), "", "").ok());

  auto a = node_named(*db, "node-a");
  BOOST_TEST(a.public_url == "https://a.example.com");
  BOOST_TEST(a.lease_ms == 3000);
  BOOST_TEST(a.open_calls == 2);
  BOOST_TEST(a.lease_age_ms() >= 0);
  BOOST_TEST(a.lease_age_ms() < 3000);
  BOOST_TEST(!a.expired());
  // The database's clock: within a minute of this machine's (same host here).
  const auto local = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  BOOST_TEST(std::llabs(a.db_now_ms - local) < 60'000);

  // A later heartbeat moves heartbeat_at on and keeps started_at.
  std::this_thread::sleep_for(std::chrono::milliseconds{30});
  BOOST_TEST_REQUIRE(db->heartbeat("node-a", "https://a2.example.com", 3000, false).ok());
  auto again = node_named(*db, "node-a");
  BOOST_TEST(again.heartbeat_at_ms > a.heartbeat_at_ms);
  BOOST_TEST(again.started_at_ms == a.started_at_ms);
  BOOST_TEST(again.public_url == "https://a2.example.com");
}

BOOST_AUTO_TEST_CASE(a_fresh_lease_is_never_claimed) {
  temp_dir dir;
  auto db = open_store(dir.store_location("fresh.db"));
  BOOST_TEST_REQUIRE(db->heartbeat("node-a", "https://a", 10'000, true).ok());
  begin_on(*db, "CA1", "node-a");
  auto claimed = db->claim_calls("node-a", "node-b", "");
  BOOST_TEST_REQUIRE(claimed.ok(), (claimed.ok() ? "" : claimed.err().message));
  BOOST_TEST(claimed->empty());
  auto owner = db->call_owner("CA1");
  BOOST_TEST_REQUIRE(owner.ok());
  BOOST_TEST_REQUIRE(owner->has_value());
  BOOST_TEST((*owner)->node_id == "node-a");
  BOOST_TEST((*owner)->public_url == "https://a");
  // A node nobody knows (no row) is not claimed from either.
  begin_on(*db, "CA2", "node-x");
  auto none = db->claim_calls("node-x", "node-b", "");
  BOOST_TEST_REQUIRE(none.ok());
  BOOST_TEST(none->empty());
}

BOOST_AUTO_TEST_CASE(racing_survivors_claim_each_open_call_of_a_dead_node_exactly_once) {
  temp_dir dir;
  const auto where = dir.store_location("race.db");
  auto db = open_store(where);
  auto s1 = open_store(where); // each survivor on its own connection
  auto s2 = open_store(where);
  for (int round = 0; round < 5; ++round) {
    const std::string dead = "dead-" + std::to_string(round);
    BOOST_TEST_REQUIRE(db->heartbeat(dead, "https://dead", 300, true).ok());
    std::set<std::string> open;
    for (int i = 0; i < 6; ++i) {
      auto sid = "CA" + std::to_string(round) + "x" + std::to_string(i);
      begin_on(*db, sid, dead);
      open.insert(sid);
    }
    auto done = sb::test::ended(sample_call("CA" + std::to_string(round) + "done"));
    done.node_id = dead;
    BOOST_TEST_REQUIRE(db->begin_call(done).ok());
    BOOST_TEST_REQUIRE(db->finalize_call(done, sb::test::sample_job(), "", "").ok());
    wait_expired(*db, dead);

    sb::result<std::vector<sb::storage::call_record>> r1{std::vector<sb::storage::call_record>{}};
    auto r2 = r1;
    std::thread t1([&] { r1 = s1->claim_calls(dead, "survivor-1", ""); });
    std::thread t2([&] { r2 = s2->claim_calls(dead, "survivor-2", ""); });
    t1.join();
    t2.join();
    BOOST_TEST_REQUIRE(r1.ok(), (r1.ok() ? "" : r1.err().message));
    BOOST_TEST_REQUIRE(r2.ok(), (r2.ok() ? "" : r2.err().message));
    auto got1 = sids(*r1);
    auto got2 = sids(*r2);
    std::set<std::string> both;
    std::set_intersection(got1.begin(), got1.end(), got2.begin(), got2.end(),
                          std::inserter(both, both.end()));
    BOOST_TEST(both.empty(), "round " << round << ": a call claimed by both survivors");
    std::set<std::string> all = got1;
    all.insert(got2.begin(), got2.end());
    BOOST_TEST((all == open), "round " << round << ": every open call claimed, the ended one not");
    // The rows say who holds each now; the dead node has none left.
    for (const auto& c : *r1)
      BOOST_TEST((*db->get_call(c.call_sid))->node_id == "survivor-1");
    for (const auto& c : *r2)
      BOOST_TEST((*db->get_call(c.call_sid))->node_id == "survivor-2");
    BOOST_TEST(node_named(*db, dead).open_calls == 0);
  }
}

BOOST_AUTO_TEST_CASE(a_node_starting_again_after_the_takeover_finds_none_of_its_calls) {
  temp_dir dir;
  auto db = open_store(dir.store_location("restart.db"));
  BOOST_TEST_REQUIRE(db->heartbeat("node-a", "https://a", 300, true).ok());
  begin_on(*db, "CA1", "node-a");
  begin_on(*db, "CA2", "node-a");
  wait_expired(*db, "node-a");
  auto claimed = db->claim_calls("node-a", "node-b", "");
  BOOST_TEST_REQUIRE(claimed.ok());
  BOOST_TEST(claimed->size() == 2u);
  // node-a comes back with the same id: its first heartbeat, then the
  // calls it left open (what the registry asks at start): none.
  BOOST_TEST_REQUIRE(db->heartbeat("node-a", "https://a", 300, true).ok());
  auto open = db->open_calls("node-a");
  BOOST_TEST_REQUIRE(open.ok());
  BOOST_TEST(open->empty());
  auto b = db->open_calls("node-b");
  BOOST_TEST_REQUIRE(b.ok());
  BOOST_TEST(b->size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_node_back_before_the_claim_keeps_its_calls) {
  temp_dir dir;
  auto db = open_store(dir.store_location("back.db"));
  BOOST_TEST_REQUIRE(db->heartbeat("node-a", "https://a", 300, true).ok());
  begin_on(*db, "CA1", "node-a");
  wait_expired(*db, "node-a");
  BOOST_TEST_REQUIRE(db->heartbeat("node-a", "https://a", 300, true).ok());
  auto claimed = db->claim_calls("node-a", "node-b", "");
  BOOST_TEST_REQUIRE(claimed.ok());
  BOOST_TEST(claimed->empty());
  BOOST_TEST((*db->get_call("CA1"))->node_id == "node-a");
}

BOOST_AUTO_TEST_CASE(open_calls_everywhere_lists_each_nodes_open_calls_by_node_then_start) {
  temp_dir dir;
  auto db = open_store(dir.store_location("everywhere.db"));
  auto begin_at = [&](const std::string& sid, const std::string& node, int64_t started) {
    auto c = sample_call(sid);
    c.node_id = node;
    c.started_at_ms = started;
    BOOST_TEST_REQUIRE(db->begin_call(c).ok());
  };
  begin_at("CAb2", "node-b", 2000);
  begin_at("CAb1", "node-b", 1000);
  begin_at("CAa1", "node-a", 3000);
  auto done = sb::test::ended(sample_call("CAdone"));
  done.node_id = "node-a";
  BOOST_TEST_REQUIRE(db->begin_call(done).ok());
  BOOST_TEST_REQUIRE(db->finalize_call(done, sb::test::sample_job(), "", "").ok());

  auto all = db->open_calls_everywhere(100);
  BOOST_TEST_REQUIRE(all.ok(), (all.ok() ? "" : all.err().message));
  std::vector<std::string> got;
  for (const auto& c : *all)
    got.push_back(c.node_id + "/" + c.call_sid);
  const std::vector<std::string> want{"node-a/CAa1", "node-b/CAb1", "node-b/CAb2"};
  BOOST_TEST(got == want, boost::test_tools::per_element());
  auto two = db->open_calls_everywhere(2);
  BOOST_TEST_REQUIRE(two.ok());
  BOOST_TEST(two->size() == 2u);
}

BOOST_AUTO_TEST_CASE(one_call_is_claimed_alone_and_its_owner_follows) {
  temp_dir dir;
  auto db = open_store(dir.store_location("one.db"));
  BOOST_TEST_REQUIRE(db->heartbeat("node-a", "https://a", 300, true).ok());
  BOOST_TEST_REQUIRE(db->heartbeat("node-b", "https://b", 10'000, true).ok());
  begin_on(*db, "CA1", "node-a");
  begin_on(*db, "CA2", "node-a");
  wait_expired(*db, "node-a");
  auto owner = db->call_owner("CA1");
  BOOST_TEST_REQUIRE(owner.ok());
  BOOST_TEST_REQUIRE(owner->has_value());
  BOOST_TEST((*owner)->expired());
  auto claimed = db->claim_calls("node-a", "node-b", "CA1");
  BOOST_TEST_REQUIRE(claimed.ok());
  BOOST_TEST_REQUIRE(claimed->size() == 1u);
  BOOST_TEST(claimed->front().call_sid == "CA1");
  BOOST_TEST(claimed->front().from == "+15559870000"); // the whole row, to hold and resume
  auto now_b = db->call_owner("CA1");
  BOOST_TEST_REQUIRE(now_b.ok());
  BOOST_TEST_REQUIRE(now_b->has_value());
  BOOST_TEST((*now_b)->node_id == "node-b");
  BOOST_TEST(!(*now_b)->expired());
  BOOST_TEST((*db->get_call("CA2"))->node_id == "node-a");
  // An unknown or finalized call has no owner.
  auto unknown = db->call_owner("CA404");
  BOOST_TEST_REQUIRE(unknown.ok());
  BOOST_TEST(!unknown->has_value());
}

BOOST_AUTO_TEST_CASE(nodes_list_prints_each_node_its_url_lease_age_and_live_calls) {
  temp_dir dir;
  auto db = open_store(dir.store_location("list.db"));
  std::ostringstream empty;
  sb::app::print_nodes(empty, *db->list_nodes());
  BOOST_TEST(empty.str() == "no nodes\n");
  BOOST_TEST_REQUIRE(db->heartbeat("node-a", "https://a.example.com", 300, true).ok());
  BOOST_TEST_REQUIRE(db->heartbeat("node-b", "https://b.example.com", 10'000, true).ok());
  begin_on(*db, "CA1", "node-b");
  wait_expired(*db, "node-a");
  std::ostringstream out;
  sb::app::print_nodes(out, *db->list_nodes());
  const auto text = out.str();
  BOOST_TEST_MESSAGE(text);
  std::istringstream lines(text);
  std::string header, a, b;
  std::getline(lines, header);
  std::getline(lines, a);
  std::getline(lines, b);
  BOOST_TEST(header.find("LEASE AGE") != std::string::npos);
  BOOST_TEST(a.find("node-a") == 0);
  BOOST_TEST(a.find("https://a.example.com") != std::string::npos);
  BOOST_TEST(a.find("expired") != std::string::npos);
  BOOST_TEST(a.back() == '0');
  BOOST_TEST(b.find("node-b") == 0);
  BOOST_TEST(b.find("live") != std::string::npos);
  BOOST_TEST(b.back() == '1');
}

BOOST_AUTO_TEST_SUITE_END()
