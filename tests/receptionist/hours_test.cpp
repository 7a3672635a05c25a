// Business hours and the check_availability decision (receptionist/hours.hpp):
// day ranges, boundaries, closed days, split days, overnight spans (not
// supported: refused), bookings and holds, and invalid input. Dates and
// times are the business's wall clock as the model gives them: no time zone
// conversion happens here (the tenant's zone is in the instructions).
#include "receptionist/hours.hpp"

#define BOOST_TEST_MODULE hours
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <ctime>
#include <string>

using namespace sb::receptionist;

namespace {

const std::string weekdays = "mon-fri 08:00-17:00; sat 09:00-12:00";
const std::string wednesday = "2030-01-02", saturday = "2030-01-05", sunday = "2030-01-06";

/// check_slot's answer, which must not be an error.
availability check(const std::string& hours, const std::string& date, const std::string& time,
                   const std::vector<std::string>& booked = {},
                   const std::vector<std::string>& held = {}, int minutes = 60) {
  auto r = check_slot(hours, date, time, minutes, booked, held);
  BOOST_REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.err().code + ": " + r.err().message));
  return *r;
}

std::string error_code_of(const std::string& hours, const std::string& date,
                          const std::string& time) {
  auto r = check_slot(hours, date, time, 60, {});
  return r.ok() ? "" : r.err().code;
}

} // namespace

// -- dates and times ------------------------------------------------------------

BOOST_AUTO_TEST_CASE(weekday_of_known_dates) {
  BOOST_TEST(*weekday_of("1970-01-01") == 3); // a Thursday (Monday = 0)
  BOOST_TEST(*weekday_of("1969-12-31") == 2); // before the epoch
  BOOST_TEST(*weekday_of("2000-02-29") == 1); // a leap day of a year divisible by 400
  BOOST_TEST(*weekday_of("2024-02-29") == 3);
  BOOST_TEST(*weekday_of("2030-01-02") == 2);
  BOOST_TEST(*weekday_of("2030-01-06") == 6);   // Sunday
  BOOST_TEST(*weekday_of(" 2030-01-02 ") == 2); // surrounding blanks are trimmed
}

BOOST_AUTO_TEST_CASE(weekday_of_refuses_dates_that_do_not_exist) {
  for (const char* bad : {"2023-02-29", "2100-02-29", "2024-04-31", "2024-13-01", "2024-00-10",
                          "2024-01-00", "2024-1-05", "02/01/2030", "tomorrow", ""}) {
    BOOST_TEST_INFO(bad);
    auto r = weekday_of(bad);
    BOOST_TEST(!r.ok());
    if (!r.ok())
      BOOST_TEST(r.err().code == "bad_date");
  }
}

BOOST_AUTO_TEST_CASE(weekday_of_does_not_depend_on_the_process_time_zone) {
  // Pure calendar arithmetic: a zone a day ahead of UTC changes nothing.
  const char* old = std::getenv("TZ");
  std::string saved = old ? old : "";
  ::setenv("TZ", "Pacific/Kiritimati", 1);
  ::tzset();
  BOOST_TEST(*weekday_of("2030-01-02") == 2);
  if (old)
    ::setenv("TZ", saved.c_str(), 1);
  else
    ::unsetenv("TZ");
  ::tzset();
}

BOOST_AUTO_TEST_CASE(minutes_of_reads_hh_mm_up_to_midnight) {
  BOOST_TEST(*minutes_of("00:00") == 0);
  BOOST_TEST(*minutes_of("09:05") == 545);
  BOOST_TEST(*minutes_of("23:59") == 1439);
  BOOST_TEST(*minutes_of("24:00") == 1440); // a closing time at midnight
  BOOST_TEST(*minutes_of(" 10:00 ") == 600);
  for (const char* bad : {"24:01", "25:00", "09:60", "9:00", "0900", "ab:cd", "10:00am", ""}) {
    BOOST_TEST_INFO(bad);
    auto r = minutes_of(bad);
    BOOST_TEST(!r.ok());
    if (!r.ok())
      BOOST_TEST(r.err().code == "bad_time");
  }
}

// -- hours --------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(parse_hours_expands_day_ranges) {
  auto h = parse_hours(weekdays);
  BOOST_REQUIRE(h.ok());
  BOOST_REQUIRE(h->size() == 6u); // mon..fri and sat
  BOOST_TEST((*h)[0].weekday == 0);
  BOOST_TEST((*h)[4].weekday == 4);
  BOOST_TEST((*h)[4].open_min == 8 * 60);
  BOOST_TEST((*h)[4].close_min == 17 * 60);
  BOOST_TEST((*h)[5].weekday == 5);
  BOOST_TEST((*h)[5].close_min == 12 * 60);
  auto one = parse_hours("  sun 10:00-14:00 ;; ");
  BOOST_REQUIRE(one.ok());
  BOOST_TEST(one->size() == 1u);
  BOOST_TEST((*one)[0].weekday == 6);
}

BOOST_AUTO_TEST_CASE(parse_hours_refuses_what_it_cannot_read) {
  for (const char* bad : {"",                    // nothing
                          " ; ",                 // still nothing
                          "mon 22:00-02:00",     // overnight: close before open
                          "mon 09:00-09:00",     // open for no time
                          "fri-mon 08:00-17:00", // a range that wraps the week
                          "xyz 08:00-17:00",     // no such day
                          "mon-fri",             // no times
                          "mon 08:00",           // no closing time
                          "mon 8-17",            // not HH:MM
                          "mon 08:00-25:00"}) {  // no such time
    BOOST_TEST_INFO("'" << bad << "'");
    auto r = parse_hours(bad);
    BOOST_TEST(!r.ok());
    if (!r.ok())
      BOOST_TEST(r.err().code == "bad_hours");
  }
}

// -- check_slot ---------------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_slot_must_fit_inside_the_opening_hours) {
  BOOST_TEST(check(weekdays, wednesday, "08:00").available); // starts at opening
  BOOST_TEST(check(weekdays, wednesday, "16:00").available); // ends at closing
  auto late = check(weekdays, wednesday, "16:01");           // runs past closing
  BOOST_TEST(!late.available);
  BOOST_TEST(late.reason == "outside business hours");
  BOOST_TEST(!check(weekdays, wednesday, "07:59").available);
  BOOST_TEST(check(weekdays, wednesday, "16:30", {}, {}, 30).available); // a shorter slot fits
}

BOOST_AUTO_TEST_CASE(a_day_without_hours_is_closed) {
  auto sun = check(weekdays, sunday, "10:00");
  BOOST_TEST(!sun.available);
  BOOST_TEST(sun.reason == "closed on that day");
  BOOST_TEST(check(weekdays, saturday, "09:00").available);
  BOOST_TEST(check(weekdays, saturday, "11:30").reason == "outside business hours");
}

BOOST_AUTO_TEST_CASE(a_split_day_has_a_gap) {
  const std::string split = "wed 08:00-12:00; wed 13:00-17:00";
  BOOST_TEST(check(split, wednesday, "11:00").available);
  BOOST_TEST(!check(split, wednesday, "11:30").available); // would run into the lunch break
  BOOST_TEST(check(split, wednesday, "13:00").available);
}

BOOST_AUTO_TEST_CASE(hours_may_close_at_midnight) {
  BOOST_TEST(check("wed 20:00-24:00", wednesday, "23:00").available);
  BOOST_TEST(!check("wed 20:00-24:00", wednesday, "23:30").available);
}

BOOST_AUTO_TEST_CASE(bookings_block_overlapping_slots_only) {
  const std::vector<std::string> booked{"10:00"};
  auto clash = check(weekdays, wednesday, "10:30", booked);
  BOOST_TEST(!clash.available);
  BOOST_TEST(clash.reason == "already booked");
  BOOST_TEST(!check(weekdays, wednesday, "09:01", booked).available);
  BOOST_TEST(check(weekdays, wednesday, "09:00", booked).available); // ends as it starts
  BOOST_TEST(check(weekdays, wednesday, "11:00", booked).available); // starts as it ends
  // A booking without a readable time blocks nothing.
  BOOST_TEST(check(weekdays, wednesday, "10:00", {"tbd", ""}).available);
}

BOOST_AUTO_TEST_CASE(holds_of_other_calls_block_and_bookings_are_named_first) {
  auto held = check(weekdays, wednesday, "10:00", {}, {"10:00"});
  BOOST_TEST(!held.available);
  BOOST_TEST(held.reason == "held by another caller");
  BOOST_TEST(check(weekdays, wednesday, "10:00", {"10:00"}, {"10:00"}).reason == "already booked");
  auto free = check(weekdays, wednesday, "12:00", {"10:00"}, {"14:00"});
  BOOST_TEST(free.available);
  BOOST_TEST(free.reason == "open");
}

BOOST_AUTO_TEST_CASE(invalid_input_is_an_error_not_an_answer) {
  BOOST_TEST(error_code_of("always", wednesday, "10:00") == "bad_hours");
  BOOST_TEST(error_code_of(weekdays, "2030-02-30", "10:00") == "bad_date");
  BOOST_TEST(error_code_of(weekdays, wednesday, "10am") == "bad_time");
}
