// A/B variants on the live server (issue 17.2): variants added and retired
// in the database while the server runs reach new calls without a restart,
// and each call's row names the variant its CallSid picks.
#include "tests/app/app_fixture.hpp"

#include "actors/webhook_answer.hpp"
#include "receptionist/variants.hpp"

#include <boost/test/unit_test.hpp>

#include <thread>

namespace {

using namespace sb::app::test;

/// Posts the webhook for `sid` and returns the variant stored on its call.
std::string variant_of_call(test_server& s, const std::string& sid) {
  BOOST_REQUIRE_EQUAL(s.post_form(inbound_path, inbound_form(sid)).status, 200);
  auto call = s.wait_for_call(
      sid, [](const auto& c) { return !c.variant.empty(); }, 5s);
  BOOST_REQUIRE_MESSAGE(call.has_value(), sid << ": no variant stored");
  return call->variant;
}

} // namespace

BOOST_AUTO_TEST_SUITE(ab_variants)

BOOST_AUTO_TEST_CASE(variants_reach_calls_without_a_restart) {
  test_server s; // no call limits: the ten calls (no stream attaches) all ring through
  auto db = s.open_store();
  sb::storage::variant warm{"warm", "coral", "Hi from warm!", "Be warm.", 1};
  sb::storage::variant brisk{"brisk", "", "", "Be brief.", 1};
  BOOST_REQUIRE(db->add_variant(tenant_number, warm).ok());
  BOOST_REQUIRE(db->add_variant(tenant_number, brisk).ok());
  std::vector<sb::storage::variant> both{warm, brisk};
  bool brisk_picked = false;
  for (int i = 0; i < 6; ++i) {
    std::string sid = "CAvariant" + std::to_string(i);
    auto picked = sb::receptionist::pick_variant(sid, both)->name;
    brisk_picked |= picked == "brisk";
    BOOST_TEST(variant_of_call(s, sid) == picked);
  }
  BOOST_TEST(brisk_picked); // both variants are exercised
  // Retired while running: once the webhook's tenant cache entry has
  // expired, new calls only get the live one.
  BOOST_REQUIRE(db->retire_variant(tenant_number, "brisk").ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(sb::actors::tenant_cache::ttl_ms + 200));
  brisk_picked = false;
  for (int i = 0; i < 4; ++i) {
    std::string sid = "CAafter" + std::to_string(i);
    brisk_picked |= sb::receptionist::pick_variant(sid, both)->name == "brisk";
    BOOST_TEST(variant_of_call(s, sid) == "warm");
  }
  BOOST_TEST(brisk_picked); // one of them would have got brisk before
}

BOOST_AUTO_TEST_SUITE_END()
