// The outbox delivered exactly once across nodes (issue 16.2): a node claims
// due entries for a lease, no other node claims them meanwhile, an expired
// claim may be taken over, only the claimer writes the outcome. Two stores
// on one database stand for two nodes (two connections); run against SQLite
// and (store_test_pg) PostgreSQL.
#include "storage/store.hpp"

#include "common/time.hpp"
#include "store_fixtures.hpp"
#include "test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <map>
#include <thread>

using namespace sb::storage;
using sb::test::ended;
using sb::test::sample_call;
using sb::test::sample_job;
using sb::test::temp_dir;

namespace {

std::unique_ptr<store> open_store(const std::string& location) {
  auto s = store::open(location);
  if (!s)
    throw std::runtime_error(s.err().message);
  return std::move(*s);
}

struct two_nodes {
  temp_dir dir;
  std::string location = dir.store_location("cluster.db");
  std::unique_ptr<store> a = open_store(location);
  std::unique_ptr<store> b = open_store(location);

  void queue(int n) {
    for (int i = 0; i < n; ++i) {
      std::string sid = "CA" + std::to_string(i);
      auto id = a->finalize_call(ended(sample_call(sid)), sample_job(), "https://acme.example/push",
                                 "{\"call\":\"" + sid + "\"}");
      BOOST_TEST_REQUIRE(id.ok());
    }
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(outbox_claims, two_nodes)

BOOST_AUTO_TEST_CASE(a_claimed_entry_is_no_other_nodes_until_its_claim_expires) {
  queue(2);
  int64_t now = sb::now_ms();
  auto mine = a->claim_notifications("node-a", now, 1'000, 10);
  BOOST_TEST_REQUIRE(mine.ok());
  BOOST_TEST(mine->size() == 2u);
  auto none = b->claim_notifications("node-b", now + 999, 1'000, 10);
  BOOST_TEST_REQUIRE(none.ok());
  BOOST_TEST(none->empty());
  // Its own node (restarted, say) finds them its again, the claim renewed.
  auto again = a->claim_notifications("node-a", now + 999, 1'000, 10);
  BOOST_TEST_REQUIRE(again.ok());
  BOOST_TEST(again->size() == 2u);
  auto still = b->claim_notifications("node-b", now + 1'998, 1'000, 10);
  BOOST_TEST_REQUIRE(still.ok());
  BOOST_TEST(still->empty());
  // node-a died: its claims expire and node-b takes them over.
  auto taken = b->claim_notifications("node-b", now + 1'999, 1'000, 10);
  BOOST_TEST_REQUIRE(taken.ok());
  BOOST_TEST_REQUIRE(taken->size() == 2u);
  BOOST_TEST((*taken)[0].id == (*mine)[0].id);
}

BOOST_AUTO_TEST_CASE(only_the_claimer_writes_the_outcome) {
  queue(1);
  int64_t now = sb::now_ms();
  auto mine = a->claim_notifications("node-a", now, 1'000, 10);
  BOOST_TEST_REQUIRE(mine.ok());
  BOOST_TEST_REQUIRE(mine->size() == 1u);
  int64_t id = (*mine)[0].id;
  auto theirs = b->mark_delivered(id, now, "node-b");
  BOOST_TEST_REQUIRE(!theirs.ok());
  BOOST_TEST(theirs.err().code == "not_found");
  // The claim expires and node-b takes it: node-a's late outcome is refused.
  auto taken = b->claim_notifications("node-b", now + 1'000, 1'000, 10);
  BOOST_TEST_REQUIRE(taken.ok());
  BOOST_TEST_REQUIRE(taken->size() == 1u);
  auto late = a->mark_delivered(id, now + 1'001, "node-a");
  BOOST_TEST_REQUIRE(!late.ok());
  BOOST_TEST(late.err().code == "not_found");
  BOOST_TEST(b->mark_delivered(id, now + 1'002, "node-b").ok());
  auto all = a->list_outbox();
  BOOST_TEST_REQUIRE(all.ok());
  BOOST_TEST((*all)[0].delivered_at_ms == now + 1'002);
}

BOOST_AUTO_TEST_CASE(a_failure_gives_the_claim_up_for_the_next_attempt) {
  queue(1);
  int64_t now = sb::now_ms();
  auto mine = a->claim_notifications("node-a", now, 60'000, 10);
  BOOST_TEST_REQUIRE(mine.ok());
  BOOST_TEST_REQUIRE(mine->size() == 1u);
  BOOST_TEST(a->mark_failed((*mine)[0].id, 1, now + 10, "HTTP 503", false, "node-a").ok());
  auto early = b->claim_notifications("node-b", now + 9, 60'000, 10);
  BOOST_TEST_REQUIRE(early.ok());
  BOOST_TEST(early->empty());
  auto next = b->claim_notifications("node-b", now + 10, 60'000, 10);
  BOOST_TEST_REQUIRE(next.ok());
  BOOST_TEST_REQUIRE(next->size() == 1u);
  BOOST_TEST((*next)[0].attempts == 1);
}

BOOST_AUTO_TEST_CASE(two_nodes_draining_one_outbox_at_once_take_each_entry_once) {
  constexpr int entries = 120;
  queue(entries);
  std::map<std::string, std::vector<int64_t>> taken;
  std::map<std::string, std::string> failures;
  auto drain = [](store& db, const std::string& node, std::vector<int64_t>& got,
                  std::string& failed) {
    for (int round = 0; round < 1'000; ++round) { // bounded: 120 entries, 3 a claim
      auto due = db.claim_notifications(node, sb::now_ms(), 60'000, 3);
      if (!due) {
        failed = due.err().message;
        return;
      }
      if (due->empty())
        return;
      for (const auto& e : *due) {
        got.push_back(e.id);
        if (auto s = db.mark_delivered(e.id, sb::now_ms(), node); !s) {
          failed = s.err().message;
          return;
        }
      }
    }
  };
  // Each thread fills its own entries, made before the threads start.
  auto& got_a = taken["node-a"];
  auto& got_b = taken["node-b"];
  auto& failed_a = failures["node-a"];
  auto& failed_b = failures["node-b"];
  std::thread ta([&] { drain(*a, "node-a", got_a, failed_a); });
  std::thread tb([&] { drain(*b, "node-b", got_b, failed_b); });
  ta.join();
  tb.join();
  BOOST_TEST(failures["node-a"] == "");
  BOOST_TEST(failures["node-b"] == "");
  std::map<int64_t, int> times;
  for (const auto& [node, ids] : taken)
    for (auto id : ids)
      ++times[id];
  BOOST_TEST_MESSAGE("node-a took " << taken["node-a"].size() << ", node-b "
                                    << taken["node-b"].size());
  BOOST_TEST(times.size() == static_cast<size_t>(entries));
  for (const auto& [id, n] : times)
    BOOST_TEST(n == 1, "entry " << id << " taken " << n << " times");
  auto all = a->list_outbox();
  BOOST_TEST_REQUIRE(all.ok());
  for (const auto& e : *all)
    BOOST_TEST(e.delivered_at_ms > 0);
}

BOOST_AUTO_TEST_SUITE_END()
