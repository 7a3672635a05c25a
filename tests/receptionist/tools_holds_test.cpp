// The tool table and slot holds: check_availability asks to hold the slot it
// offers and refuses one another live call holds; record_booking_details
// moves the hold to the slot it records.
#include "receptionist/tools.hpp"

#define BOOST_TEST_MODULE tools_holds
#include <boost/test/unit_test.hpp>

#include <rapidjson/document.h>

using namespace sb;
using namespace sb::receptionist;

namespace {

const std::string wednesday = "2030-01-02"; // open: the default hours are mon-fri 08:00-17:00

storage::tenant plumbers() {
  storage::tenant t;
  t.number = "+15551230000";
  t.name = "Bright Plumbing";
  return t;
}

struct call {
  storage::booking booking;
  storage::tenant tenant = plumbers();
  std::vector<storage::job> jobs;
  std::vector<std::string> held;

  tool_outcome run(std::string_view tool, const std::string& args, bool holds_known = false) {
    tool_context ctx{booking, tenant, 60, &jobs, holds_known ? &held : nullptr};
    return find_tool(tool)->run(ctx, args);
  }
};

rapidjson::Document json(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  BOOST_REQUIRE(d.IsObject());
  return d;
}

std::string slot_args(const std::string& time) {
  return R"({"date":")" + wednesday + R"(","time":")" + time + R"("})";
}

} // namespace

BOOST_AUTO_TEST_CASE(an_offered_slot_is_to_be_held) {
  call c;
  auto o = c.run(check_availability_tool, slot_args("10:00"));
  BOOST_TEST(json(o.output)["available"].GetBool());
  BOOST_REQUIRE(o.hold.has_value());
  BOOST_TEST(o.hold->tenant_number == c.tenant.number);
  BOOST_TEST(o.hold->date == wednesday);
  BOOST_TEST(o.hold->time == "10:00");
  BOOST_TEST(!o.hold_replaces);
}

BOOST_AUTO_TEST_CASE(a_slot_not_offered_is_not_held) {
  call c;
  BOOST_TEST(!c.run(check_availability_tool, slot_args("18:00")).hold.has_value());
  BOOST_TEST(!c.run(check_availability_tool, R"({"date":"2030-01-05","time":"10:00"})")
                  .hold.has_value()); // a Saturday
  storage::job booked;
  booked.details.preferred_time = "10:00";
  c.jobs.push_back(booked);
  auto o = c.run(check_availability_tool, slot_args("10:30"));
  BOOST_TEST(std::string{json(o.output)["reason"].GetString()} == "already booked");
  BOOST_TEST(!o.hold.has_value());
}

BOOST_AUTO_TEST_CASE(a_slot_held_by_another_call_is_not_available) {
  call c;
  c.held = {"10:00"};
  auto o = c.run(check_availability_tool, slot_args("10:30"), true);
  BOOST_TEST(o.ok);
  auto d = json(o.output);
  BOOST_TEST(!d["available"].GetBool());
  BOOST_TEST(std::string{d["reason"].GetString()} == "held by another caller");
  BOOST_TEST(!o.hold.has_value());
  // A slot clear of the other call's is still offered.
  BOOST_TEST(
      json(c.run(check_availability_tool, slot_args("11:00"), true).output)["available"].GetBool());
}

BOOST_AUTO_TEST_CASE(recording_a_slot_moves_the_hold_to_it) {
  call c;
  auto partial = c.run(record_booking_tool, R"({"preferred_date":"2030-01-02"})");
  BOOST_TEST(!partial.hold.has_value()); // no time yet: nothing to hold
  auto o = c.run(record_booking_tool, R"({"preferred_time":"14:00","customer_name":"Ann"})");
  BOOST_TEST(o.booking_changed);
  BOOST_REQUIRE(o.hold.has_value());
  BOOST_TEST(o.hold->date == wednesday);
  BOOST_TEST(o.hold->time == "14:00");
  BOOST_TEST(o.hold_replaces);
  BOOST_TEST(!json(o.output).HasMember("warning"));
}

BOOST_AUTO_TEST_CASE(recording_a_slot_another_call_holds_is_refused_and_keeps_the_rest) {
  call c;
  c.booking.preferred_date = wednesday;
  c.booking.preferred_time = "09:00";
  c.held = {"14:00"};
  auto o = c.run(
      record_booking_tool,
      R"({"preferred_date":"2030-01-02","preferred_time":"14:30","customer_name":"Ann"})", true);
  BOOST_TEST(o.ok);
  auto d = json(o.output);
  BOOST_TEST(!d["ok"].GetBool()); // a full slot (capacity 1) is refused (issue 17.6)
  BOOST_TEST(std::string{d["error"].GetString()}.find("another caller") != std::string::npos);
  BOOST_TEST(c.booking.preferred_time == "09:00"); // the slot stays the one recorded before
  BOOST_TEST(c.booking.customer_name == "Ann");    // the other details are kept
  BOOST_TEST(o.booking_changed);
  BOOST_TEST(!o.hold.has_value()); // the second run never asks again
}

BOOST_AUTO_TEST_CASE(other_tools_hold_nothing) {
  call c;
  BOOST_TEST(!c.run(end_call_tool, "{}").hold.has_value());
}
