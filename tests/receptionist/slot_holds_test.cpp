// The hold book ("Loose ends" 3, double booking): a slot one live call was
// offered is not free for another until that call releases it.
#include "receptionist/slot_holds.hpp"

#define BOOST_TEST_MODULE slot_holds
#include <boost/test/unit_test.hpp>

using namespace sb::receptionist;

namespace {

const std::string plumbers = "+15551230000", bakers = "+15559870000";
const std::string day = "2030-01-02";

held_slot slot(const std::string& time, const std::string& date = day,
               const std::string& tenant = plumbers) {
  return {tenant, date, time};
}

} // namespace

BOOST_AUTO_TEST_CASE(slots_overlap_by_slot_length) {
  BOOST_TEST(slots_overlap("10:00", "10:00", 60));
  BOOST_TEST(slots_overlap("10:00", "10:59", 60));
  BOOST_TEST(slots_overlap("10:30", "10:00", 60));
  BOOST_TEST(!slots_overlap("10:00", "11:00", 60));
  BOOST_TEST(!slots_overlap("11:00", "10:00", 60));
  BOOST_TEST(slots_overlap("10:00", "10:20", 30));
  BOOST_TEST(!slots_overlap("10:00", "10:30", 30));
  BOOST_TEST(!slots_overlap("10:00", "", 60));
  BOOST_TEST(!slots_overlap("ten", "10:00", 60));
  auto o = overlapping({"08:00", "09:30", "10:00", "11:00", "junk"}, "10:00", 60);
  BOOST_TEST(o == (std::vector<std::string>{"09:30", "10:00"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_held_slot_is_refused_to_another_call) {
  hold_book book{60};
  BOOST_TEST(book.hold("CA1", slot("10:00"), false).empty());
  auto clash = book.hold("CA2", slot("10:00"), false);
  BOOST_TEST(clash == (std::vector<std::string>{"10:00"}), boost::test_tools::per_element());
  BOOST_TEST(!book.hold("CA2", slot("10:30"), false).empty()); // overlaps by slot_minutes
  BOOST_TEST(book.held_by("CA2").empty());
  BOOST_TEST(book.size() == 1u);
  BOOST_TEST(book.conflicts(slot("10:45"), "CA2").size() == 1u);
  BOOST_TEST(book.conflicts(slot("10:00"), "CA1").empty()); // its own hold is no conflict
}

BOOST_AUTO_TEST_CASE(holds_are_per_tenant_and_day_and_time) {
  hold_book book{60};
  BOOST_TEST(book.hold("CA1", slot("10:00"), false).empty());
  BOOST_TEST(book.hold("CA2", slot("11:00"), false).empty());
  BOOST_TEST(book.hold("CA3", slot("10:00", "2030-01-03"), false).empty());
  BOOST_TEST(book.hold("CA4", slot("10:00", day, bakers), false).empty());
  BOOST_TEST(book.size() == 4u);
}

BOOST_AUTO_TEST_CASE(a_call_holds_every_slot_offered_once) {
  hold_book book{60};
  BOOST_TEST(book.hold("CA1", slot("10:00"), false).empty());
  BOOST_TEST(book.hold("CA1", slot("10:00"), false).empty()); // asked again: still one hold
  BOOST_TEST(book.hold("CA1", slot("10:30"), false).empty()); // its own holds never clash
  BOOST_TEST(book.hold("CA1", slot("14:00"), false).empty());
  BOOST_TEST(book.held_by("CA1").size() == 3u);
}

BOOST_AUTO_TEST_CASE(the_hold_follows_the_recorded_slot) {
  hold_book book{60};
  BOOST_TEST(book.hold("CA1", slot("10:00"), false).empty());
  BOOST_TEST(book.hold("CA1", slot("14:00"), false).empty());
  BOOST_TEST(book.hold("CA1", slot("14:00"), true).empty());
  auto held = book.held_by("CA1");
  BOOST_REQUIRE(held.size() == 1u);
  BOOST_TEST(held[0].time == "14:00");
  BOOST_TEST(book.hold("CA2", slot("10:00"), false).empty()); // 10:00 is free again
}

BOOST_AUTO_TEST_CASE(a_refused_replacement_keeps_the_calls_holds) {
  hold_book book{60};
  BOOST_TEST(book.hold("CA1", slot("10:00"), false).empty());
  BOOST_TEST(book.hold("CA2", slot("14:00"), false).empty());
  BOOST_TEST(!book.hold("CA1", slot("14:00"), true).empty());
  auto held = book.held_by("CA1");
  BOOST_REQUIRE(held.size() == 1u);
  BOOST_TEST(held[0].time == "10:00");
}

BOOST_AUTO_TEST_CASE(released_holds_free_their_slots) {
  hold_book book{60};
  BOOST_TEST(book.hold("CA1", slot("10:00"), false).empty());
  BOOST_TEST(book.hold("CA1", slot("15:00"), false).empty());
  book.release("CA1");
  book.release("CA1"); // twice: harmless
  book.release("CA9"); // never held anything
  BOOST_TEST(book.size() == 0u);
  BOOST_TEST(book.hold("CA2", slot("10:00"), false).empty());
  BOOST_TEST(book.hold("CA3", slot("15:00"), false).empty());
}
