// Issue 17.6: the booked slot as RFC 5545 iCalendar, parsed back by a small
// independent reader (unfold per 3.1, split name:value, unescape per 3.3.11)
// and checked field by field.
#define BOOST_TEST_MODULE ics
#include <boost/test/unit_test.hpp>

#include "receptionist/ics.hpp"

#include <map>
#include <vector>

using namespace sb;

namespace {

std::vector<std::string> physical_lines(const std::string& ics) {
  std::vector<std::string> lines;
  std::size_t from = 0;
  for (auto at = ics.find("\r\n"); at != std::string::npos; at = ics.find("\r\n", from)) {
    lines.push_back(ics.substr(from, at - from));
    from = at + 2;
  }
  BOOST_TEST(from == ics.size()); // the last line ends with CRLF too
  return lines;
}

std::vector<std::string> unfold(const std::vector<std::string>& physical) {
  std::vector<std::string> logical;
  for (const auto& l : physical)
    if (!l.empty() && l[0] == ' ' && !logical.empty())
      logical.back() += l.substr(1);
    else
      logical.push_back(l);
  return logical;
}

std::string unescape(const std::string& v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\\' && i + 1 < v.size()) {
      char n = v[++i];
      out += (n == 'n' || n == 'N') ? '\n' : n;
    } else {
      out += v[i];
    }
  }
  return out;
}

std::multimap<std::string, std::string> fields(const std::string& ics) {
  std::multimap<std::string, std::string> f;
  for (const auto& l : unfold(physical_lines(ics))) {
    auto colon = l.find(':');
    BOOST_REQUIRE(colon != std::string::npos);
    f.emplace(l.substr(0, colon), unescape(l.substr(colon + 1)));
  }
  return f;
}

storage::job sample() {
  storage::job j;
  j.call_sid = "CA0123456789abcdef";
  j.caller = "+15550001111";
  j.details.customer_name = "Zoë O'Hara, Jr.; the second";
  j.details.service = "Leak repair";
  j.details.address = "12 Comma, Lane; Apt \\3";
  j.details.callback_phone = "+15550002222";
  j.details.preferred_date = "2026-12-31";
  j.details.preferred_time = "23:30";
  j.details.notes = "Line one\nLine two: a very long note that goes on and on with ünïcödé "
                    "characters so that the folding at 75 octets has to happen more than once";
  return j;
}

} // namespace

BOOST_AUTO_TEST_CASE(the_event_parses_back_field_by_field) {
  auto j = sample();
  auto ics = receptionist::job_ics(j, "Bright Plumbing", 60, 1'764'806'400'000); // 2025-12-04
  auto f = fields(ics);
  BOOST_TEST(f.count("BEGIN") == 2u);
  BOOST_TEST(f.find("BEGIN")->second == "VCALENDAR");
  BOOST_TEST(f.find("VERSION")->second == "2.0");
  BOOST_TEST(f.find("UID")->second == "CA0123456789abcdef@switchboard");
  BOOST_TEST(f.find("DTSTAMP")->second == "20251204T000000Z");
  BOOST_TEST(f.find("DTSTART")->second == "20261231T233000");
  BOOST_TEST(f.find("DTEND")->second == "20270101T003000"); // an hour, across the year
  BOOST_TEST(f.find("SUMMARY")->second == "Leak repair for " + j.details.customer_name);
  BOOST_TEST(f.find("LOCATION")->second == j.details.address);
  auto description = f.find("DESCRIPTION")->second;
  BOOST_TEST(description.find("Notes: " + j.details.notes) != std::string::npos, description);
  BOOST_TEST(f.find("END")->second == "VEVENT");
}

BOOST_AUTO_TEST_CASE(lines_are_folded_at_75_octets_and_never_inside_a_character) {
  auto ics = receptionist::job_ics(sample(), "Bright Plumbing", 60, 0);
  auto lines = physical_lines(ics);
  int continuations = 0;
  for (const auto& l : lines) {
    BOOST_TEST(l.size() <= 75u, l);
    if (!l.empty() && l[0] == ' ') {
      ++continuations;
      // a continuation never starts with a UTF-8 continuation byte
      BOOST_TEST((l.size() < 2 || (static_cast<unsigned char>(l[1]) & 0xC0) != 0x80), l);
    }
  }
  BOOST_TEST(continuations >= 2);
  BOOST_TEST(ics.find('\n') == ics.find("\r\n") + 1); // CRLF, not bare LF
}

BOOST_AUTO_TEST_CASE(text_escaping_follows_3_3_11) {
  BOOST_TEST(receptionist::ics_escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne");
  BOOST_TEST(receptionist::ics_escape("x\r\ny") == "x\\ny");
}

BOOST_AUTO_TEST_CASE(a_card_without_a_slot_has_no_event) {
  storage::job j;
  BOOST_TEST(receptionist::job_ics(j, "B", 60, 0).empty());
}
