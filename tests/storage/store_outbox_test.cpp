// The notification outbox: due entries, retry backoff, delivery, giving up.
#include "storage/store.hpp"

#include "common/time.hpp"
#include "store_fixtures.hpp"
#include "test_support.hpp"

#include <boost/test/unit_test.hpp>

using namespace sb::storage;
using sb::test::ended;
using sb::test::sample_call;
using sb::test::sample_job;
using sb::test::temp_dir;

namespace {

struct outbox_fixture {
  temp_dir dir;
  std::unique_ptr<store> db = [this] {
    auto s = store::open(dir.store_location("outbox.db"));
    if (!s)
      throw std::runtime_error(s.err().message);
    return std::move(*s);
  }();

  int64_t queue(const std::string& sid) {
    auto id = db->finalize_call(ended(sample_call(sid)), sample_job(), "https://acme.example/push",
                                "{\"call\":\"" + sid + "\"}");
    BOOST_TEST_REQUIRE(id.ok());
    auto all = db->list_outbox();
    BOOST_TEST_REQUIRE(all.ok());
    return all->back().id;
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(outbox, outbox_fixture)

BOOST_AUTO_TEST_CASE(a_new_notification_is_due_at_once) {
  int64_t before = sb::now_ms();
  int64_t id = queue("CA1");
  auto due = db->due_notifications(sb::now_ms(), 10);
  BOOST_TEST_REQUIRE(due.ok());
  BOOST_TEST_REQUIRE(due->size() == 1u);
  BOOST_TEST((*due)[0].id == id);
  BOOST_TEST((*due)[0].body == "{\"call\":\"CA1\"}");
  BOOST_TEST((*due)[0].next_attempt_at_ms >= before);
  auto early = db->due_notifications(before - 1, 10);
  BOOST_TEST_REQUIRE(early.ok());
  BOOST_TEST(early->empty());
}

BOOST_AUTO_TEST_CASE(a_failed_notification_waits_for_its_next_attempt) {
  int64_t id = queue("CA1");
  int64_t now = sb::now_ms();
  BOOST_TEST_REQUIRE(db->mark_failed(id, 1, now + 2'000, "HTTP 503", false).ok());
  auto not_yet = db->due_notifications(now + 1'999, 10);
  BOOST_TEST_REQUIRE(not_yet.ok());
  BOOST_TEST(not_yet->empty());
  auto due = db->due_notifications(now + 2'000, 10);
  BOOST_TEST_REQUIRE(due.ok());
  BOOST_TEST_REQUIRE(due->size() == 1u);
  BOOST_TEST((*due)[0].attempts == 1);
  BOOST_TEST((*due)[0].last_error == "HTTP 503");
  BOOST_TEST((*due)[0].delivered_at_ms == 0);
}

BOOST_AUTO_TEST_CASE(a_given_up_notification_is_never_due_again) {
  int64_t id = queue("CA1");
  BOOST_TEST_REQUIRE(db->mark_failed(id, 8, 0, "connection refused", true).ok());
  auto due = db->due_notifications(INT64_MAX, 10);
  BOOST_TEST_REQUIRE(due.ok());
  BOOST_TEST(due->empty());
  auto all = db->list_outbox();
  BOOST_TEST_REQUIRE(all.ok());
  BOOST_TEST_REQUIRE(all->size() == 1u);
  BOOST_TEST((*all)[0].attempts == 8);
  BOOST_TEST((*all)[0].last_error == "connection refused");
}

BOOST_AUTO_TEST_CASE(a_delivered_notification_is_done) {
  int64_t first = queue("CA1");
  int64_t second = queue("CA2");
  BOOST_TEST_REQUIRE(db->mark_delivered(first, 12345).ok());
  auto due = db->due_notifications(INT64_MAX, 10);
  BOOST_TEST_REQUIRE(due.ok());
  BOOST_TEST_REQUIRE(due->size() == 1u);
  BOOST_TEST((*due)[0].id == second);
  auto all = db->list_outbox();
  BOOST_TEST_REQUIRE(all.ok());
  BOOST_TEST((*all)[0].delivered_at_ms == 12345);
}

BOOST_AUTO_TEST_CASE(due_notifications_honours_the_limit_oldest_first) {
  int64_t a = queue("CA1");
  int64_t b = queue("CA2");
  queue("CA3");
  BOOST_TEST_REQUIRE(db->mark_failed(a, 1, 50, "x", false).ok());
  BOOST_TEST_REQUIRE(db->mark_failed(b, 1, 10, "x", false).ok());
  auto due = db->due_notifications(INT64_MAX, 2);
  BOOST_TEST_REQUIRE(due.ok());
  BOOST_TEST_REQUIRE(due->size() == 2u);
  BOOST_TEST((*due)[0].id == b);
  BOOST_TEST((*due)[1].id == a);
}

BOOST_AUTO_TEST_CASE(marking_an_unknown_notification_is_an_error) {
  auto s = db->mark_delivered(999, 1);
  BOOST_TEST_REQUIRE(!s.ok());
  BOOST_TEST(s.err().code == "not_found");
  auto f = db->mark_failed(999, 1, 1, "x", false);
  BOOST_TEST_REQUIRE(!f.ok());
  BOOST_TEST(f.err().code == "not_found");
}

BOOST_AUTO_TEST_SUITE_END()
