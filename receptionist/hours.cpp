#include "receptionist/hours.hpp"

#include <array>
#include <cctype>
#include <cstdio>
#include <cstdlib>

namespace sb::receptionist {

namespace {

constexpr std::array<std::string_view, 7> day_names = {"mon", "tue", "wed", "thu",
                                                       "fri", "sat", "sun"};

int day_index(std::string_view s) {
  for (std::size_t i = 0; i < day_names.size(); ++i)
    if (s == day_names[i])
      return static_cast<int>(i);
  return -1;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}

bool all_digits(std::string_view s) {
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c)))
      return false;
  return !s.empty();
}

} // namespace

result<int> minutes_of(std::string_view time) {
  time = trim(time);
  if (time.size() != 5 || time[2] != ':' || !all_digits(time.substr(0, 2)) ||
      !all_digits(time.substr(3, 2)))
    return error{"bad_time", "time must be HH:MM"};
  int h = (time[0] - '0') * 10 + (time[1] - '0');
  int m = (time[3] - '0') * 10 + (time[4] - '0');
  if (h > 24 || m > 59 || (h == 24 && m != 0))
    return error{"bad_time", "time out of range"};
  return h * 60 + m;
}

result<int> weekday_of(std::string_view date) {
  date = trim(date);
  if (date.size() != 10 || date[4] != '-' || date[7] != '-' || !all_digits(date.substr(0, 4)) ||
      !all_digits(date.substr(5, 2)) || !all_digits(date.substr(8, 2)))
    return error{"bad_date", "date must be YYYY-MM-DD"};
  int y = std::atoi(std::string{date.substr(0, 4)}.c_str());
  int m = std::atoi(std::string{date.substr(5, 2)}.c_str());
  int d = std::atoi(std::string{date.substr(8, 2)}.c_str());
  static constexpr int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1] || (m == 2 && d == 29 && !leap))
    return error{"bad_date", "no such date"};
  // Days since 1970-01-01 (a Thursday), civil-from-days inverse (H. Hinnant).
  y -= m <= 2;
  int era = (y >= 0 ? y : y - 399) / 400;
  int yoe = y - era * 400;
  int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  long days = static_cast<long>(era) * 146097 + doe - 719468;
  long wd = (days + 3) % 7; // 1970-01-01 was a Thursday: index 3 with Monday = 0
  if (wd < 0)
    wd += 7;
  return static_cast<int>(wd);
}

result<std::vector<opening>> parse_hours(std::string_view text) {
  std::vector<opening> out;
  while (!text.empty()) {
    auto semi = text.find(';');
    std::string_view part = trim(text.substr(0, semi));
    text = semi == std::string_view::npos ? std::string_view{} : text.substr(semi + 1);
    if (part.empty())
      continue;
    auto space = part.find(' ');
    if (space == std::string_view::npos)
      return error{"bad_hours", "expected 'days HH:MM-HH:MM' in '" + std::string{part} + "'"};
    std::string_view days = part.substr(0, space);
    std::string_view span = trim(part.substr(space + 1));
    auto dash = days.find('-');
    int first = day_index(days.substr(0, dash));
    int last = dash == std::string_view::npos ? first : day_index(days.substr(dash + 1));
    if (first < 0 || last < 0 || last < first)
      return error{"bad_hours", "unknown days '" + std::string{days} + "'"};
    auto sdash = span.find('-');
    if (sdash == std::string_view::npos)
      return error{"bad_hours", "expected HH:MM-HH:MM in '" + std::string{span} + "'"};
    auto open = minutes_of(span.substr(0, sdash));
    auto close = minutes_of(span.substr(sdash + 1));
    if (!open || !close || *close <= *open)
      return error{"bad_hours", "bad opening times '" + std::string{span} + "'"};
    for (int d = first; d <= last; ++d)
      out.push_back({d, *open, *close});
  }
  if (out.empty())
    return error{"bad_hours", "no opening hours given"};
  return out;
}

result<availability> check_slot(std::string_view hours, std::string_view date,
                                std::string_view time, int slot_minutes,
                                const std::vector<std::string>& booked_times,
                                const std::vector<std::string>& held_times, int capacity) {
  auto open = parse_hours(hours);
  if (!open)
    return open.err();
  auto wd = weekday_of(date);
  if (!wd)
    return wd.err();
  auto start = minutes_of(time);
  if (!start)
    return start.err();
  bool open_that_day = false, inside = false;
  for (const auto& o : *open) {
    if (o.weekday != *wd)
      continue;
    open_that_day = true;
    if (*start >= o.open_min && *start + slot_minutes <= o.close_min)
      inside = true;
  }
  if (!open_that_day)
    return availability{false, "closed on that day"};
  if (!inside)
    return availability{false, "outside business hours"};
  auto overlapping = [&](const std::vector<std::string>& times) {
    int n = 0;
    for (const auto& b : times) {
      auto other = minutes_of(b);
      n += other && *start < *other + slot_minutes && *other < *start + slot_minutes;
    }
    return n;
  };
  int booked = overlapping(booked_times);
  if (booked >= capacity)
    return availability{false, "already booked"};
  if (booked + overlapping(held_times) >= capacity)
    return availability{false, "held by another caller"};
  return availability{true, "open"};
}

std::string next_free_slot(std::string_view hours, std::string_view date, std::string_view time,
                           int slot_minutes, const std::vector<std::string>& booked_times,
                           const std::vector<std::string>& held_times, int capacity) {
  auto open = parse_hours(hours);
  auto wd = weekday_of(date);
  auto after = minutes_of(time);
  if (!open || !wd || !after || slot_minutes <= 0)
    return {};
  int best = -1;
  for (const auto& o : *open) {
    if (o.weekday != *wd)
      continue;
    for (int m = o.open_min; m + slot_minutes <= o.close_min; m += slot_minutes) {
      if (m <= *after || (best >= 0 && m >= best))
        continue;
      char hhmm[24]; // any int (GCC -Wformat-truncation); minutes < 1440 here
      std::snprintf(hhmm, sizeof hhmm, "%02d:%02d", m / 60, m % 60);
      auto a = check_slot(hours, date, hhmm, slot_minutes, booked_times, held_times, capacity);
      if (a && a->available)
        best = m;
    }
  }
  if (best < 0)
    return {};
  char hhmm[24];
  std::snprintf(hhmm, sizeof hhmm, "%02d:%02d", best / 60, best % 60);
  return hhmm;
}

result<int> utc_offset_minutes(std::string_view tz) {
  if (tz.rfind("UTC", 0) == 0 || tz.rfind("GMT", 0) == 0)
    tz.remove_prefix(3);
  if (tz.empty() || tz == "Z")
    return 0;
  const int sign = tz[0] == '+' ? 1 : tz[0] == '-' ? -1 : 0;
  if (sign == 0)
    return error{"bad_timezone", "not UTC or a +HH:MM offset: '" + std::string{tz} + "'"};
  tz.remove_prefix(1);
  std::string hhmm{tz};
  if (hhmm.find(':') == std::string::npos)
    hhmm += ":00";
  if (hhmm.size() == 4)
    hhmm = "0" + hhmm; // "5:30"
  auto m = minutes_of(hhmm);
  if (!m || *m > 14 * 60)
    return error{"bad_timezone", "bad offset '" + std::string{tz} + "'"};
  return sign * *m;
}

result<bool> open_at(std::string_view hours, int64_t unix_ms, std::string_view timezone) {
  auto open = parse_hours(hours);
  if (!open)
    return open.err();
  auto offset = utc_offset_minutes(timezone);
  const int64_t local_min = unix_ms / 60'000 + (offset ? *offset : 0);
  const int64_t day = local_min >= 0 ? local_min / 1440 : (local_min - 1439) / 1440;
  const int minute = static_cast<int>(local_min - day * 1440);
  const int weekday = static_cast<int>(((day + 3) % 7 + 7) % 7); // 1970-01-01: a Thursday
  for (const auto& o : *open)
    if (o.weekday == weekday && minute >= o.open_min && minute < o.close_min)
      return true;
  return false;
}

} // namespace sb::receptionist
