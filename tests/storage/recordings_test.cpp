// Recordings on our side (issue 17.3) in the store: a tenant's opt-in, the
// file on the call, the retention sweep (recording/retention.hpp) and
// deleting a call with everything written about it, on real files.
#include "recording/retention.hpp"
#include "storage/store.hpp"

#define BOOST_TEST_MODULE recordings
#include <boost/test/unit_test.hpp>

#include "store_fixtures.hpp"
#include "test_support.hpp"

#include <filesystem>
#include <fstream>

using namespace sb;
using namespace sb::storage;
using sb::test::ended;
using sb::test::sample_call;
using sb::test::sample_job;
using sb::test::temp_dir;

namespace {

constexpr int64_t day_ms = 24LL * 3600 * 1000;

struct fixture {
  temp_dir dir;
  std::unique_ptr<store> db = [this] {
    auto s = store::open(dir.file("rec.db"));
    if (!s)
      throw std::runtime_error(s.err().message);
    return std::move(*s);
  }();

  /// A finished call with a transcript, a job card, a push queued and a file.
  std::string recorded_call(const std::string& sid, int64_t started_at_ms) {
    auto c = ended(sample_call(sid));
    c.started_at_ms = started_at_ms;
    BOOST_TEST_REQUIRE(db->begin_call(c).ok());
    transcript_turn t;
    t.call_sid = sid;
    t.text = t.full_text = "hello";
    BOOST_TEST_REQUIRE(db->append_turn(t).ok());
    BOOST_TEST_REQUIRE(db->finalize_call(c, sample_job(), "https://acme.example/push", "{}").ok());
    const std::string path = dir.file(sid + ".wav");
    std::ofstream{path} << "RIFF";
    auto set = db->set_recording_file(sid, path);
    BOOST_TEST_REQUIRE((set.ok() && *set));
    return path;
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(recordings, fixture)

BOOST_AUTO_TEST_CASE(a_tenant_opts_in_and_out) {
  tenant t;
  t.number = "+15551230000";
  t.name = "Acme";
  BOOST_TEST_REQUIRE(db->add_tenant(t).ok());
  BOOST_TEST(!db->find_tenant(t.number)->value().record);
  BOOST_TEST(*db->set_tenant_record(t.number, true));
  BOOST_TEST(db->find_tenant(t.number)->value().record);
  BOOST_TEST(*db->set_tenant_record(t.number, false));
  BOOST_TEST(!db->find_tenant(t.number)->value().record);
  BOOST_TEST(!*db->set_tenant_record("+15550000000", true)); // no such tenant
  t.number = "+15551230001";
  t.record = true;
  BOOST_TEST_REQUIRE(db->add_tenant(t).ok());
  BOOST_TEST(db->find_tenant(t.number)->value().record);
}

BOOST_AUTO_TEST_CASE(the_sweep_removes_old_recordings_only) {
  const int64_t now = 1'800'000'000'000;
  auto old_file = recorded_call("CAold", now - 31 * day_ms);
  auto new_file = recorded_call("CAnew", now - 29 * day_ms);
  auto removed = recording::sweep(*db, 30, now);
  BOOST_TEST_REQUIRE(removed.ok());
  BOOST_TEST(*removed == 1);
  BOOST_TEST(!std::filesystem::exists(old_file));
  BOOST_TEST(std::filesystem::exists(new_file));
  BOOST_TEST(db->recording_file("CAold")->value().empty());
  BOOST_TEST(db->recording_file("CAnew")->value() == new_file);
  // The call itself stays: only its recording is past retention.
  BOOST_TEST(db->get_call("CAold")->has_value());
  BOOST_TEST(*recording::sweep(*db, 30, now) == 0);               // nothing left to do
  BOOST_TEST(*recording::sweep(*db, 0, now + 400 * day_ms) == 0); // 0 days: kept for ever
  BOOST_TEST(std::filesystem::exists(new_file));
}

BOOST_AUTO_TEST_CASE(delete_call_removes_every_row_of_the_call_and_names_its_file) {
  auto file = recorded_call("CAgone", 1'800'000'000'000);
  recorded_call("CAkept", 1'800'000'000'000);
  BOOST_TEST_REQUIRE(db->list_outbox()->size() == 2u);
  auto deleted = db->delete_call("CAgone");
  BOOST_TEST_REQUIRE(deleted.ok());
  BOOST_TEST_REQUIRE(deleted->has_value());
  BOOST_TEST(**deleted == file);
  BOOST_TEST(!db->get_call("CAgone")->has_value());
  BOOST_TEST(db->turns_for("CAgone")->empty());
  BOOST_TEST(!db->job_for_call("CAgone")->has_value());
  BOOST_TEST(db->list_outbox()->size() == 1u);
  // The other call is untouched.
  BOOST_TEST(db->get_call("CAkept")->has_value());
  BOOST_TEST(db->turns_for("CAkept")->size() == 1u);
  BOOST_TEST(db->job_for_call("CAkept")->has_value());
  // Unknown: nothing deleted, said so.
  auto again = db->delete_call("CAgone");
  BOOST_TEST_REQUIRE(again.ok());
  BOOST_TEST(!again->has_value());
}

BOOST_AUTO_TEST_SUITE_END()
