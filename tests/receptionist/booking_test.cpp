// Booking details and the job card (receptionist/booking.hpp): how the
// model's record_booking_details arguments merge, which fields a card still
// lacks, the card a finished call gets, and the push body.
#include "receptionist/booking.hpp"

#define BOOST_TEST_MODULE booking
#include <boost/test/unit_test.hpp>

#include <rapidjson/document.h>

using namespace sb::receptionist;
using sb::storage::booking;

namespace {

booking merged(const booking& b, const std::string& json) {
  auto r = merge_booking(b, json);
  BOOST_REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.err().message));
  return *r;
}

booking complete() {
  return merged({}, R"({"customer_name":"Dana Smith","callback_phone":"+15559870000",
                       "service":"leaking tap","address":"12 Elm Street",
                       "preferred_date":"2030-01-02","preferred_time":"10:00"})");
}

sb::storage::call_record ended_call() {
  sb::storage::call_record c;
  c.call_sid = "CAbook";
  c.tenant_number = "+15551230000";
  c.from = "+15557654321";
  c.end_reason = sb::end_reason::caller_hangup;
  c.cost_usd = 0.0421;
  return c;
}

} // namespace

// -- merge_booking ----------------------------------------------------------------

BOOST_AUTO_TEST_CASE(later_arguments_overwrite_and_absent_ones_keep) {
  auto b = merged({}, R"({"customer_name":"Dana","service":"leak"})");
  b = merged(b, R"({"customer_name":"Dana Smith","address":"12 Elm Street"})");
  BOOST_TEST(b.customer_name == "Dana Smith");
  BOOST_TEST(b.service == "leak");
  BOOST_TEST(b.address == "12 Elm Street");
}

BOOST_AUTO_TEST_CASE(null_empty_and_unknown_fields_change_nothing) {
  auto b = merged({}, R"({"service":"leak"})");
  b = merged(b, R"({"service":null})");
  BOOST_TEST(b.service == "leak");
  b = merged(b, R"({"service":""})"); // the model cannot erase a detail by accident
  BOOST_TEST(b.service == "leak");
  b = merged(b, R"({"favourite_colour":"blue"})");
  BOOST_TEST(b.service == "leak");
}

BOOST_AUTO_TEST_CASE(arguments_that_are_not_an_object_of_strings_are_refused) {
  auto not_json = merge_booking({}, R"({"service":)");
  BOOST_REQUIRE(!not_json.ok());
  BOOST_TEST(not_json.err().code == "malformed_json");
  for (const char* bad : {R"(["service","leak"])", R"("leak")", R"({"service":42})",
                          R"({"service":{"what":"leak"}})"}) {
    BOOST_TEST_INFO(bad);
    auto r = merge_booking({}, bad);
    BOOST_REQUIRE(!r.ok());
    BOOST_TEST(r.err().code == "invalid_arguments");
  }
  // One bad field refuses the whole update, good fields included.
  auto partly = merge_booking(merged({}, R"({"address":"1 Old Road"})"),
                              R"({"address":"2 New Road","service":7})");
  BOOST_TEST(!partly.ok());
}

// -- missing_fields -------------------------------------------------------------

BOOST_AUTO_TEST_CASE(urgency_and_notes_are_optional) {
  BOOST_TEST(missing_fields(complete()).empty());
  auto all = missing_fields({});
  BOOST_TEST(all == (std::vector<std::string>{"customer_name", "callback_phone", "service",
                                              "address", "preferred_date", "preferred_time"}),
             boost::test_tools::per_element());
}

// -- make_job -------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_complete_booking_is_a_new_job_with_a_summary_and_the_calls_cost) {
  auto j = make_job(ended_call(), complete(), 1234);
  BOOST_TEST(j.status == "new");
  BOOST_TEST(j.summary == "leaking tap for Dana Smith on 2030-01-02 10:00");
  BOOST_TEST(j.call_sid == "CAbook");
  BOOST_TEST(j.tenant_number == "+15551230000");
  BOOST_TEST(j.caller == "+15557654321");
  BOOST_TEST(j.created_at_ms == 1234);
  BOOST_TEST(j.cost_usd == 0.0421);
}

BOOST_AUTO_TEST_CASE(a_missing_callback_number_is_the_callers) {
  auto b = complete();
  b.callback_phone.clear();
  auto j = make_job(ended_call(), b, 1);
  BOOST_TEST(j.details.callback_phone == "+15557654321");
  BOOST_TEST(j.status == "new");
}

BOOST_AUTO_TEST_CASE(an_incomplete_booking_needs_review_and_names_what_is_missing) {
  auto b = merged({}, R"({"customer_name":"Dana Smith","service":"leaking tap"})");
  auto j = make_job(ended_call(), b, 1);
  BOOST_TEST(j.status == "needs_review");
  BOOST_TEST(j.summary ==
             "leaking tap for Dana Smith (missing: address preferred_date preferred_time)");
  auto no_service = make_job(ended_call(), merged({}, R"({"customer_name":"Dana"})"), 1);
  BOOST_TEST(no_service.summary.rfind("Job for Dana", 0) == 0, no_service.summary);
}

BOOST_AUTO_TEST_CASE(a_call_without_details_still_gets_a_card_saying_why) {
  auto j = make_job(ended_call(), {}, 1);
  BOOST_TEST(j.status == "needs_review");
  BOOST_TEST(j.summary.find("No booking details") != std::string::npos, j.summary);
  BOOST_TEST(j.summary.find("caller_hangup") != std::string::npos, j.summary);
  auto c = ended_call();
  c.end_reason = sb::end_reason::none;
  BOOST_TEST(make_job(c, {}, 1).summary.find("(ended)") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_summary_is_in_the_businesss_language) {
  auto c = ended_call();
  c.language = "es";
  auto j = make_job(c, complete(), 1);
  BOOST_TEST(j.summary == "leaking tap para Dana Smith el 2030-01-02 10:00");
  auto partial = make_job(c, merged({}, R"({"customer_name":"Dana"})"), 1);
  BOOST_TEST(partial.summary.rfind("Trabajo para Dana (falta: service address", 0) == 0,
             partial.summary);
  auto none = make_job(c, {}, 1);
  BOOST_TEST(none.summary.rfind("En esta llamada no se recogieron datos", 0) == 0, none.summary);
  BOOST_TEST(none.summary.find("(caller_hangup)") != std::string::npos, none.summary);
  c.language = "de";
  c.end_reason = sb::end_reason::max_duration;
  BOOST_TEST(make_job(c, complete(), 1).summary ==
             "leaking tap für Dana Smith am 2030-01-02 10:00 (Anruf beendet: max_duration)");
  c.language = "ja"; // no phrases of its own: English
  BOOST_TEST(make_job(c, complete(), 1).summary.find(" for Dana Smith on ") != std::string::npos);
}

// -- push_body ------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(the_push_body_is_json_with_the_card_and_its_cost) {
  sb::storage::tenant t;
  t.number = "+15551230000";
  t.name = R"(Bright "Best" Plumbing)"; // quotes must be escaped
  auto j = make_job(ended_call(), complete(), 1234);
  rapidjson::Document d;
  auto body = push_body(j, t);
  d.Parse(body.c_str());
  BOOST_REQUIRE_MESSAGE(!d.HasParseError() && d.IsObject(), body);
  BOOST_TEST(std::string{d["type"].GetString()} == "job.created");
  BOOST_TEST(std::string{d["business"].GetString()} == t.name);
  BOOST_TEST(std::string{d["tenant"].GetString()} == "+15551230000");
  BOOST_TEST(std::string{d["callSid"].GetString()} == "CAbook");
  BOOST_TEST(std::string{d["status"].GetString()} == "new");
  BOOST_TEST(std::string{d["job"]["address"].GetString()} == "12 Elm Street");
  BOOST_TEST(std::string{d["job"]["preferred_time"].GetString()} == "10:00");
  BOOST_TEST(d["costUsd"].GetDouble() == 0.0421);
  BOOST_TEST(d["createdAt"].GetInt64() == 1234);
}
