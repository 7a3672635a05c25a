#pragma once
// A booked slot as an iCalendar object (RFC 5545, issue 17.6): one VEVENT in
// a VCALENDAR, for the push and `switchboard jobs show ID --ics`.

#include "storage/records.hpp"

#include <string>
#include <string_view>

namespace sb::receptionist {

/// TEXT escaping (RFC 5545 3.3.11): backslash, semicolon and comma get a
/// backslash; a newline becomes "\n".
std::string ics_escape(std::string_view text);

/// One content line folded at 75 octets (RFC 5545 3.1): CRLF then a space
/// before each continuation, never inside a UTF-8 sequence; ends with CRLF.
std::string ics_fold(std::string_view line);

/// The job's booked slot as a VCALENDAR with one VEVENT; "" when the card has
/// no date and time. `slot_minutes` gives DTEND; `now_ms` is DTSTAMP.
std::string job_ics(const storage::job& j, const std::string& business, int slot_minutes,
                    int64_t now_ms);

} // namespace sb::receptionist
