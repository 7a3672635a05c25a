// RFC 5545 section numbers are cited where each rule comes from.
#include "receptionist/ics.hpp"

#include <cstdio>
#include <ctime>

namespace sb::receptionist {

std::string ics_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\\' || c == ';' || c == ',') { // 3.3.11: ESCAPED-CHAR
      out += '\\';
      out += c;
    } else if (c == '\r') {
      if (i + 1 < text.size() && text[i + 1] == '\n')
        ++i; // CRLF is one line break
      out += "\\n";
    } else if (c == '\n') {
      out += "\\n"; // 3.3.11: a line break in TEXT is written "\n"
    } else {
      out += c;
    }
  }
  return out;
}

std::string ics_fold(std::string_view line) {
  // 3.1: lines SHOULD NOT be longer than 75 octets, excluding the line
  // break; longer ones are split by CRLF followed by one space (which counts
  // towards the next line's 75). A split never falls inside a UTF-8 sequence.
  std::string out;
  std::size_t limit = 75, used = 0;
  for (std::size_t i = 0; i < line.size();) {
    std::size_t len = 1;
    auto c = static_cast<unsigned char>(line[i]);
    if (c >= 0xF0)
      len = 4;
    else if (c >= 0xE0)
      len = 3;
    else if (c >= 0xC0)
      len = 2;
    len = std::min(len, line.size() - i);
    if (used + len > limit) {
      out += "\r\n ";
      used = 1;
    }
    out.append(line.substr(i, len));
    used += len;
    i += len;
  }
  return out + "\r\n";
}

namespace {

/// "YYYY-MM-DD" + "HH:MM" -> a local DATE-TIME "YYYYMMDDTHHMMSS" (3.3.5, form
/// #1, floating: the business's own clock), shifted by `plus_minutes`.
bool local_time(const std::string& date, const std::string& time, int plus_minutes,
                std::string& out) {
  std::tm tm{};
  if (std::sscanf(date.c_str(), "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) != 3 ||
      std::sscanf(time.c_str(), "%2d:%2d", &tm.tm_hour, &tm.tm_min) != 2)
    return false;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  tm.tm_min += plus_minutes;
  if (timegm(&tm) == -1) // normalizes the minutes carried into hours and days
    return false;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d%02d%02dT%02d%02d00", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min);
  out = buf;
  return true;
}

std::string utc_stamp(int64_t ms) { // 3.3.5, form #2: UTC, "Z"
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

} // namespace

std::string job_ics(const storage::job& j, const std::string& business, int slot_minutes,
                    int64_t now_ms) {
  const auto& b = j.details;
  std::string start, end;
  if (!local_time(b.preferred_date, b.preferred_time, 0, start) ||
      !local_time(b.preferred_date, b.preferred_time, slot_minutes, end))
    return {};
  std::string summary = (b.service.empty() ? std::string{"Booking"} : b.service);
  if (!b.customer_name.empty())
    summary += " for " + b.customer_name;
  std::string description = "Booked with " + business + " by phone.\nCaller: " + j.caller +
                            "\nCallback: " + b.callback_phone;
  if (!b.notes.empty())
    description += "\nNotes: " + b.notes;
  std::string out;
  // 3.4 / 3.6: VCALENDAR with VERSION and PRODID, then the component.
  for (std::string line : {std::string{"BEGIN:VCALENDAR"}, std::string{"VERSION:2.0"},
                           std::string{"PRODID:-//Switchboard//Receptionist//EN"},
                           std::string{"CALSCALE:GREGORIAN"}, std::string{"BEGIN:VEVENT"}})
    out += ics_fold(line);
  // 3.8.4.7 UID: unique and stable: the call that booked it.
  out += ics_fold("UID:" + ics_escape(j.call_sid) + "@switchboard");
  out += ics_fold("DTSTAMP:" + utc_stamp(now_ms));           // 3.8.7.2: UTC
  out += ics_fold("DTSTART:" + start);                       // 3.8.2.4
  out += ics_fold("DTEND:" + end);                           // 3.8.2.2
  out += ics_fold("SUMMARY:" + ics_escape(summary));         // 3.8.1.12
  out += ics_fold("LOCATION:" + ics_escape(b.address));      // 3.8.1.7
  out += ics_fold("DESCRIPTION:" + ics_escape(description)); // 3.8.1.5
  out += ics_fold("END:VEVENT");
  out += ics_fold("END:VCALENDAR");
  return out;
}

} // namespace sb::receptionist
