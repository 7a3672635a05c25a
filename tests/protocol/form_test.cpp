#include "protocol/form.hpp"

#define BOOST_TEST_MODULE form
#include <boost/test/unit_test.hpp>

using namespace sb::proto;

BOOST_AUTO_TEST_CASE(parses_a_twilio_voice_webhook_body) {
  auto r = parse_form("CallSid=CA0123456789abcdef0123456789abcdef&From=%2B15551234567"
                      "&To=%2B15557654321&CallStatus=ringing&Direction=inbound");
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r->size() == 5u);
  BOOST_TEST(form_value(*r, "CallSid") == "CA0123456789abcdef0123456789abcdef");
  BOOST_TEST(form_value(*r, "From") == "+15551234567");
  BOOST_TEST(form_value(*r, "Direction") == "inbound");
  BOOST_TEST(form_value(*r, "Missing") == "");
}

BOOST_AUTO_TEST_CASE(plus_is_a_space_and_escaped_plus_is_a_plus) {
  auto r = parse_form("a=x+y&b=x%2By&c%20d=%7e");
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(form_value(*r, "a") == "x y");
  BOOST_TEST(form_value(*r, "b") == "x+y");
  BOOST_TEST(form_value(*r, "c d") == "~");
}

BOOST_AUTO_TEST_CASE(decodes_escapes_between_runs_of_plain_characters) {
  auto r = parse_form("text=ab+cd%2Bef%25%20gh++i%3D&%2B%2B=+");
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(form_value(*r, "text") == "ab cd+ef% gh  i=");
  BOOST_TEST(form_value(*r, "++") == " ");
}

BOOST_AUTO_TEST_CASE(take_form_value_moves_the_first_value_out) {
  auto r = parse_form("CallSid=CA1&To=%2B1555&CallSid=CA2");
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(take_form_value(*r, "CallSid") == "CA1");
  BOOST_TEST(take_form_value(*r, "To") == "+1555");
  BOOST_TEST(take_form_value(*r, "Missing") == "");
  BOOST_TEST(form_value(*r, "CallSid") == ""); // the first one, now taken
  BOOST_TEST(r->back().second == "CA2");
}

BOOST_AUTO_TEST_CASE(keeps_order_duplicates_and_empty_values) {
  auto r = parse_form("b=2&a=1&b=3&flag&empty=&&");
  BOOST_REQUIRE(r.ok());
  form_params expected{{"b", "2"}, {"a", "1"}, {"b", "3"}, {"flag", ""}, {"empty", ""}};
  BOOST_TEST((*r == expected));
  BOOST_TEST(form_value(*r, "b") == "2");
  BOOST_TEST(parse_form("")->empty());
}

BOOST_AUTO_TEST_CASE(decodes_utf8_escapes_and_equals_in_values) {
  auto r = parse_form("name=Jos%C3%A9&eq=a%3Db=c");
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(form_value(*r, "name") == "Jos\xC3\xA9");
  BOOST_TEST(form_value(*r, "eq") == "a=b=c");
}

BOOST_AUTO_TEST_CASE(rejects_malformed_percent_escapes) {
  for (std::string_view bad : {"a=%", "a=%2", "a=%zz", "a=%2g&b=1", "%=1", "a=1&b=%G0"}) {
    BOOST_TEST_CONTEXT(bad) {
      auto r = parse_form(bad);
      BOOST_REQUIRE(!r.ok());
      BOOST_TEST(r.err().code == "malformed_form");
    }
  }
}

BOOST_AUTO_TEST_CASE(url_encode_keeps_only_unreserved_characters) {
  BOOST_TEST(url_encode("AZaz09-._~") == "AZaz09-._~");
  BOOST_TEST(url_encode("a b&c=d+e/f") == "a%20b%26c%3Dd%2Be%2Ff");
  BOOST_TEST(url_encode("\xC3\xA9") == "%C3%A9");
}

BOOST_AUTO_TEST_CASE(encode_form_round_trips_through_parse_form) {
  form_params params{{"Status", "completed"},
                     {"Twiml", "<Response><Say>a & b</Say></Response>"},
                     {"x y", "1+1=2"},
                     {"dup", "1"},
                     {"dup", "2"}};
  std::string body = encode_form(params);
  BOOST_TEST(body.find(' ') == std::string::npos);
  auto back = parse_form(body);
  BOOST_REQUIRE(back.ok());
  BOOST_TEST((*back == params));
}
