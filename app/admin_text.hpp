#pragma once
// Internal to app/: plain-text output for the operator commands (aligned
// tables, times and durations for people).

#include "common/time.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

namespace sb::app::text {

// -- text output --------------------------------------------------------------

/// One line, at most `max` characters: table cells must not break the grid.
inline std::string cell(std::string s, size_t max = 40) {
  for (char& c : s) {
    if (static_cast<unsigned char>(c) < 0x20)
      c = ' ';
  }
  if (s.size() > max) {
    size_t cut = max - 3;
    // Back off to a UTF-8 character boundary.
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80)
      --cut;
    s = s.substr(0, cut) + "...";
  }
  return s;
}

/// Display width: UTF-8 code points, not bytes.
inline size_t width(const std::string& s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

inline void print_table(std::ostream& out, const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> w(header.size());
  for (size_t i = 0; i < header.size(); ++i)
    w[i] = width(header[i]);
  for (const auto& row : rows)
    for (size_t i = 0; i < row.size() && i < w.size(); ++i)
      w[i] = std::max(w[i], width(row[i]));
  auto line = [&](const std::vector<std::string>& r) {
    std::string text;
    for (size_t i = 0; i < r.size(); ++i) {
      text += r[i];
      if (i + 1 < r.size())
        text += std::string(w[i] - width(r[i]) + 2, ' ');
    }
    out << text << '\n';
  };
  line(header);
  for (const auto& row : rows)
    line(row);
}

/// "2025-11-27T12:00:00Z" (seconds are enough for people), "-" for unset.
inline std::string when(int64_t ms) {
  if (ms <= 0)
    return "-";
  return iso8601_utc(ms).substr(0, 19) + "Z";
}

inline std::string duration(int64_t ms) {
  if (ms < 0)
    return "-";
  int64_t s = ms / 1000;
  if (s < 60)
    return std::to_string(s) + "s";
  std::ostringstream out;
  if (s >= 3600)
    out << s / 3600 << 'h' << (s % 3600) / 60 << 'm';
  else
    out << s / 60 << 'm' << s % 60 << 's';
  return out.str();
}

/// "$0.0123": a call's OpenAI cost as stored on it and its job card.
inline std::string usd(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "$%.4f", v);
  return buf;
}

/// Multi-line text under a label: continuation lines indented by `n`.
inline std::string indented(const std::string& s, size_t n) {
  std::string out;
  for (char c : s) {
    out += c;
    if (c == '\n')
      out += std::string(n, ' ');
  }
  return out;
}

} // namespace sb::app::text
