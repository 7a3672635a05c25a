// Write ahead and recovery in the store (issue 14): a call's booking draft
// and status as they change, the node that runs it, and the calls a node
// left open; on real files.
#include "storage/store.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>

#include "store_fixtures.hpp"
#include "test_support.hpp"

using namespace sb::storage;
using sb::test::ended;
using sb::test::sample_call;
using sb::test::sample_job;
using sb::test::temp_dir;

namespace {

struct recovery_store {
  temp_dir dir;
  std::string path = dir.store_location("switchboard.db");
  std::unique_ptr<store> db = open();

  std::unique_ptr<store> open() const {
    auto s = store::open(path);
    if (!s)
      throw std::runtime_error(s.err().message);
    return std::move(*s);
  }
};

call_record on_node(const std::string& sid, const std::string& node) {
  auto c = sample_call(sid);
  c.node_id = node;
  return c;
}

/// The CallSids, sorted (rows started in the same millisecond have no order).
std::vector<std::string> sids(const std::vector<call_record>& calls) {
  std::vector<std::string> out;
  for (const auto& c : calls)
    out.push_back(c.call_sid);
  std::sort(out.begin(), out.end());
  return out;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(write_ahead, recovery_store)

BOOST_AUTO_TEST_CASE(a_booking_draft_survives_a_reopen_and_is_replaced_by_the_next) {
  BOOST_REQUIRE(db->begin_call(on_node("CA1", "node-1")));
  booking b;
  b.customer_name = "Dana Smith";
  BOOST_REQUIRE(db->save_booking_draft("CA1", b));
  b.address = "12 Elm Street";
  BOOST_REQUIRE(db->save_booking_draft("CA1", b));
  db.reset(); // as a crash would leave it: only what was committed
  auto again = open();
  auto draft = again->booking_draft("CA1");
  BOOST_REQUIRE(draft);
  BOOST_TEST(draft->customer_name == "Dana Smith");
  BOOST_TEST(draft->address == "12 Elm Street");
  BOOST_TEST(again->booking_draft("CA-none")->empty());
}

BOOST_AUTO_TEST_CASE(finalize_deletes_the_draft_and_a_late_draft_is_not_written) {
  BOOST_REQUIRE(db->begin_call(on_node("CA1", "node-1")));
  booking b;
  b.customer_name = "Dana Smith";
  BOOST_REQUIRE(db->save_booking_draft("CA1", b));
  BOOST_REQUIRE(db->finalize_call(ended(sample_call("CA1")), sample_job(), "", ""));
  BOOST_TEST(db->booking_draft("CA1")->empty());
  // A tool call that lands while the call is finalized leaves no draft.
  BOOST_REQUIRE(db->save_booking_draft("CA1", b));
  BOOST_TEST(db->booking_draft("CA1")->empty());
}

BOOST_AUTO_TEST_CASE(the_status_is_written_as_it_changes_until_the_call_ends) {
  BOOST_REQUIRE(db->begin_call(on_node("CA1", "node-1")));
  BOOST_TEST(db->get_call("CA1")->value().status == sb::call_status::ringing);
  auto set = db->set_call_status("CA1", sb::call_status::in_progress, 1'764'244'801'000);
  BOOST_REQUIRE(set);
  BOOST_TEST(*set);
  auto c = db->get_call("CA1")->value();
  BOOST_TEST(c.status == sb::call_status::in_progress);
  BOOST_TEST(c.answered_at_ms == 1'764'244'801'000);
  BOOST_REQUIRE(db->finalize_call(ended(sample_call("CA1")), sample_job(), "", ""));
  // A late write (a message queued before the end) does not reopen it.
  BOOST_TEST(!*db->set_call_status("CA1", sb::call_status::in_progress, 1));
  BOOST_TEST(db->get_call("CA1")->value().status == sb::call_status::completed);
  BOOST_TEST(!*db->set_call_status("CA-none", sb::call_status::in_progress, 1));
}

BOOST_AUTO_TEST_CASE(a_resume_is_counted_on_the_open_call_as_its_stream_attaches) {
  BOOST_REQUIRE(db->begin_call(on_node("CA1", "node-1")));
  BOOST_REQUIRE(db->set_call_status("CA1", sb::call_status::in_progress, 1'000));
  BOOST_TEST(db->get_call("CA1")->value().resumes == 0);
  // picked up again: the new supervisor's stream attaches
  BOOST_REQUIRE(db->set_call_status("CA1", sb::call_status::in_progress, 1'000, 1));
  BOOST_TEST(db->get_call("CA1")->value().resumes == 1);
  // the node dies now: its next start finds the count on the open call
  auto open = db->open_calls("node-1");
  BOOST_REQUIRE(open);
  BOOST_REQUIRE(open->size() == 1u);
  BOOST_TEST(open->front().resumes == 1);
  // a write that knows fewer (queued before) does not lower it
  BOOST_REQUIRE(db->set_call_status("CA1", sb::call_status::in_progress, 1'000, 0));
  BOOST_TEST(db->get_call("CA1")->value().resumes == 1);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(recovery, recovery_store)

BOOST_AUTO_TEST_CASE(each_call_row_keeps_its_node_through_finalize) {
  BOOST_REQUIRE(db->begin_call(on_node("CA1", "node-a")));
  BOOST_TEST(db->get_call("CA1")->value().node_id == "node-a");
  // The supervisor's final record knows the node too; one that does not
  // (an empty id) keeps the stored one.
  BOOST_REQUIRE(db->finalize_call(ended(sample_call("CA1")), sample_job(), "", ""));
  BOOST_TEST(db->get_call("CA1")->value().node_id == "node-a");
}

BOOST_AUTO_TEST_CASE(open_calls_are_a_nodes_calls_with_no_end_reason) {
  BOOST_REQUIRE(db->begin_call(on_node("CA-mine", "node-a")));
  BOOST_REQUIRE(db->begin_call(on_node("CA-other", "node-b")));
  BOOST_REQUIRE(db->begin_call(on_node("CA-old", ""))); // a row from before schema v7
  BOOST_REQUIRE(db->begin_call(on_node("CA-done", "node-a")));
  BOOST_REQUIRE(db->finalize_call(ended(on_node("CA-done", "node-a")), sample_job(), "", ""));
  auto open = db->open_calls("node-a");
  BOOST_REQUIRE(open);
  BOOST_TEST(sids(*open) == (std::vector<std::string>{"CA-mine", "CA-old"}),
             boost::test_tools::per_element());
  BOOST_TEST(sids(*db->open_calls("node-b")) == (std::vector<std::string>{"CA-old", "CA-other"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_call_to_resume_loads_with_its_turns_draft_and_variant_after_a_reopen) {
  auto c = on_node("CA1", "node-1");
  c.variant = "warm";
  BOOST_REQUIRE(db->begin_call(c));
  BOOST_REQUIRE(db->set_call_status("CA1", sb::call_status::in_progress, 1'000));
  for (int seq = 0; seq < 3; ++seq) {
    transcript_turn t;
    t.call_sid = "CA1";
    t.seq = seq;
    t.role = seq % 2 == 0 ? sb::speaker::assistant : sb::speaker::caller;
    t.text = t.full_text = "turn " + std::to_string(seq);
    BOOST_REQUIRE(db->append_turn(t).ok());
  }
  booking b;
  b.customer_name = "Rita Resume";
  BOOST_REQUIRE(db->save_booking_draft("CA1", b));
  db.reset(); // the server was killed
  auto again = open();
  auto open_calls = again->open_calls("node-1");
  BOOST_REQUIRE(open_calls);
  BOOST_REQUIRE(open_calls->size() == 1u);
  const auto& lost = open_calls->front();
  BOOST_TEST(lost.variant == "warm"); // a resumed call keeps its A/B variant
  BOOST_TEST(lost.answered_at_ms == 1'000);
  BOOST_TEST(lost.resumes == 0);
  auto turns = again->turns_for("CA1");
  BOOST_REQUIRE(turns);
  BOOST_REQUIRE(turns->size() == 3u);
  BOOST_TEST(turns->back().text == "turn 2");
  BOOST_TEST(again->booking_draft("CA1")->customer_name == "Rita Resume");
}

BOOST_AUTO_TEST_CASE(resumes_are_kept_on_the_call_and_its_job_card) {
  auto c = on_node("CA1", "node-1");
  BOOST_REQUIRE(db->begin_call(c));
  c.resumes = 2;
  auto job_id = db->finalize_call(ended(c), sample_job(), "", "");
  BOOST_REQUIRE(job_id);
  auto call = db->get_call("CA1");
  BOOST_REQUIRE(call);
  BOOST_REQUIRE(call->has_value());
  BOOST_TEST((*call)->resumes == 2);
  auto job = db->job_for_call("CA1");
  BOOST_REQUIRE(job);
  BOOST_REQUIRE(job->has_value());
  BOOST_TEST((*job)->resumes == 2);
  // a finalize that knows fewer resumes (a late recovery) does not lower the count
  c.resumes = 0;
  BOOST_REQUIRE(db->finalize_call(ended(c), sample_job(), "", ""));
  BOOST_TEST((*db->get_call("CA1"))->resumes == 2);
}

BOOST_AUTO_TEST_SUITE_END()
