#pragma once
// Business hours ("mon-fri 08:00-17:00; sat 09:00-12:00") and the
// check_availability decision.

#include "common/result.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sb::receptionist {

struct opening {
  int weekday = 0;  ///< 0 = Monday ... 6 = Sunday
  int open_min = 0; ///< minutes after midnight
  int close_min = 0;
};

/// Parses "mon-fri 08:00-17:00; sat 09:00-12:00". Errors {"bad_hours", ...}.
result<std::vector<opening>> parse_hours(std::string_view text);

/// Weekday of a YYYY-MM-DD date (0 = Monday). Errors {"bad_date", ...}.
result<int> weekday_of(std::string_view date);

/// Minutes after midnight of "HH:MM". Errors {"bad_time", ...}.
result<int> minutes_of(std::string_view time);

struct availability {
  bool available = false;
  /// "open", "closed on that day", "outside business hours", "already booked",
  /// "held by another caller"
  std::string reason;
};

/// Is a slot of `slot_minutes` at date/time free, given the hours, the
/// times ("HH:MM") already booked that day and the times other live calls
/// hold that day (receptionist/slot_holds.hpp)? A slot takes `capacity`
/// bookings (issue 17.6): it is full when that many booked or held slots
/// overlap it ("already booked" when the bookings alone fill it).
result<availability> check_slot(std::string_view hours, std::string_view date,
                                std::string_view time, int slot_minutes,
                                const std::vector<std::string>& booked_times,
                                const std::vector<std::string>& held_times = {}, int capacity = 1);

/// The first slot after `time` on `date` that check_slot finds free, on the
/// grid of slot_minutes from each opening time ("HH:MM"); "" when none is
/// left that day (or the hours, date or time do not parse).
std::string next_free_slot(std::string_view hours, std::string_view date, std::string_view time,
                           int slot_minutes, const std::vector<std::string>& booked_times,
                           const std::vector<std::string>& held_times, int capacity);

/// Minutes east of UTC of a tenant's time zone: "UTC", "" or "Z" (0), or a
/// fixed offset "+10:00", "-05:00", "UTC+10". Errors {"bad_timezone"} for
/// anything else (IANA names such as "Europe/London" are not resolved here).
result<int> utc_offset_minutes(std::string_view timezone);

/// Is the business open at `unix_ms` (its hours, in its time zone)? A zone
/// utc_offset_minutes cannot read counts as UTC.
result<bool> open_at(std::string_view hours, int64_t unix_ms, std::string_view timezone);

} // namespace sb::receptionist
