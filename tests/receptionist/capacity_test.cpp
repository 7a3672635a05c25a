// The calendar's capacity (issue 17.6): a slot takes the tenant's
// slot_capacity bookings; check_availability counts the stored bookings and
// other calls' holds overlapping the asked slot, answers unavailable when
// they fill it (with the next free time that day), and the booking tool
// refuses a full slot while keeping the caller's other details.
#include "receptionist/tools.hpp"

#define BOOST_TEST_MODULE capacity
#include <boost/test/unit_test.hpp>

#include "receptionist/hours.hpp"
#include "receptionist/slot_holds.hpp"

#include <rapidjson/document.h>

using namespace sb;
using namespace sb::receptionist;

namespace {

const std::string wednesday = "2030-01-02";
const std::string weekdays = "mon-fri 08:00-17:00";

storage::tenant tenant(const std::string& number, int capacity, int slot_minutes = 60) {
  storage::tenant t;
  t.number = number;
  t.hours = weekdays;
  t.slot_capacity = capacity;
  t.slot_minutes = slot_minutes;
  return t;
}

storage::job booked_at(const std::string& time) {
  storage::job j;
  j.details.preferred_date = wednesday;
  j.details.preferred_time = time;
  return j;
}

rapidjson::Document json(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  BOOST_REQUIRE(d.IsObject());
  return d;
}

/// One call's tool context over `jobs` (the day's stored bookings).
struct call {
  storage::tenant t;
  std::vector<storage::job> jobs;
  storage::booking booking;
  tool_outcome run(std::string_view tool, const std::string& args,
                   const std::vector<std::string>* held = nullptr) {
    tool_context ctx{booking, t, t.slot_length(60), &jobs, held};
    return find_tool(tool)->run(ctx, args);
  }
};

std::string at(const std::string& time) {
  return R"({"date":")" + wednesday + R"(","time":")" + time + R"("})";
}

std::string book(const std::string& time) {
  return R"({"customer_name":"Ann","preferred_date":")" + wednesday + R"(","preferred_time":")" +
         time + R"("})";
}

} // namespace

BOOST_AUTO_TEST_CASE(a_slot_takes_as_many_overlapping_bookings_as_its_capacity) {
  auto two = [](const std::vector<std::string>& booked, const std::vector<std::string>& held) {
    auto a = check_slot(weekdays, wednesday, "10:00", 60, booked, held, 2);
    BOOST_REQUIRE(a.ok());
    return *a;
  };
  BOOST_TEST(two({"10:00"}, {}).available);
  BOOST_TEST(two({"09:30"}, {}).available); // one overlapping booking of two places
  auto full = two({"10:00", "10:30"}, {});
  BOOST_TEST(!full.available);
  BOOST_TEST(full.reason == "already booked");
  BOOST_TEST(two({"09:00", "11:00"}, {}).available); // they touch it, none overlaps
  auto held = two({"10:00"}, {"09:45"});
  BOOST_TEST(!held.available);
  BOOST_TEST(held.reason == "held by another caller");
}

BOOST_AUTO_TEST_CASE(the_next_free_slot_is_on_the_grid_after_the_asked_time) {
  // 08:00 grid of 60 min; 10:00 and 11:00 full at capacity 1.
  BOOST_TEST(next_free_slot(weekdays, wednesday, "10:00", 60, {"10:00", "11:00"}, {}, 1) ==
             "12:00");
  BOOST_TEST(next_free_slot(weekdays, wednesday, "10:00", 60, {"10:00", "11:00"}, {"12:00"}, 1) ==
             "13:00");
  BOOST_TEST(next_free_slot(weekdays, wednesday, "10:00", 60, {"11:00"}, {}, 2) == "11:00");
  BOOST_TEST(next_free_slot(weekdays, wednesday, "16:00", 60, {}, {}, 1) == ""); // the day is over
  BOOST_TEST(next_free_slot(weekdays, "2030-01-05", "10:00", 60, {}, {}, 1) == ""); // Saturday
}

BOOST_AUTO_TEST_CASE(capacity_two_accepts_two_bookings_of_a_slot_and_refuses_the_third) {
  auto t = tenant("+15551230000", 2);
  std::vector<storage::job> stored;
  for (int i = 0; i < 2; ++i) {
    call c{t, stored, {}};
    auto d = json(c.run(check_availability_tool, at("10:00")).output);
    BOOST_TEST(d["available"].GetBool());
    auto o = c.run(record_booking_tool, book("10:00"));
    BOOST_TEST(json(o.output)["ok"].GetBool());
    BOOST_TEST(c.booking.preferred_time == "10:00");
    BOOST_REQUIRE(o.hold.has_value());
    BOOST_TEST(o.hold_places == 2 - i);   // the capacity less the stored bookings there
    stored.push_back(booked_at("10:00")); // the call ends: its job card is stored
  }
  call third{t, stored, {}};
  auto d = json(third.run(check_availability_tool, at("10:00")).output);
  BOOST_TEST(!d["available"].GetBool());
  BOOST_TEST(std::string{d["reason"].GetString()} == "already booked");
  BOOST_TEST(std::string{d["next_free_time"].GetString()} == "11:00");
  auto o = third.run(record_booking_tool, book("10:00"));
  auto r = json(o.output);
  BOOST_TEST(!r["ok"].GetBool());
  BOOST_TEST(std::string{r["error"].GetString()}.find("fully booked") != std::string::npos);
  BOOST_TEST(std::string{r["next_free_time"].GetString()} == "11:00");
  BOOST_TEST(third.booking.preferred_time.empty()); // not recorded
  BOOST_TEST(third.booking.customer_name == "Ann"); // the rest is
  BOOST_TEST(!o.hold.has_value());
}

BOOST_AUTO_TEST_CASE(the_slot_length_is_the_tenants) {
  // 30-minute slots: a booking at 10:00 leaves 10:30 free even at capacity 1.
  call c{tenant("+15551230000", 1, 30), {booked_at("10:00")}, {}};
  BOOST_TEST(!json(c.run(check_availability_tool, at("10:00")).output)["available"].GetBool());
  BOOST_TEST(json(c.run(check_availability_tool, at("10:30")).output)["available"].GetBool());
  call hour{tenant("+15551230000", 1, 60), {booked_at("10:00")}, {}};
  BOOST_TEST(!json(hour.run(check_availability_tool, at("10:30")).output)["available"].GetBool());
}

BOOST_AUTO_TEST_CASE(the_hold_book_takes_as_many_holds_as_the_places_left) {
  hold_book book{60};
  held_slot ten{"+15551230000", wednesday, "10:00"};
  BOOST_TEST(book.hold("CA1", ten, false, 60, 2).empty());
  BOOST_TEST(book.hold("CA2", ten, false, 60, 2).empty());
  auto third = book.hold("CA3", ten, false, 60, 2);
  BOOST_TEST(third.size() == 2u); // the two holds in the way
  BOOST_TEST(book.held_by("CA3").empty());
  // Another tenant's same slot is its own.
  BOOST_TEST(book.hold("CA4", {"+15559990000", wednesday, "10:00"}, false, 60, 1).empty());
  // No place left at all (the bookings fill it): refused even with no hold.
  BOOST_TEST(!book.hold("CA5", {"+15559990000", wednesday, "14:00"}, false, 60, 0).empty());
}
