#pragma once
// The log's lines while a test looks at them (common/log.hpp's sink), for
// tests of what gets logged: how many lines a flood of bad input costs, say.
// Restores stderr and the level when it goes.

#include "common/log.hpp"

#include <algorithm>
#include <cstdlib>
#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace sb::test {

class log_capture {
public:
  explicit log_capture(log::level l = log::level::warn) : previous_(log::current_level()) {
    log::set_sink([this](std::string_view line) {
      std::lock_guard lock(mutex_);
      lines_.emplace_back(line);
    });
    log::set_level(l);
  }
  ~log_capture() {
    log::set_sink({});
    log::set_level(previous_);
  }
  log_capture(const log_capture&) = delete;
  log_capture& operator=(const log_capture&) = delete;

  /// Again, after something else set the level (e2e_env turns the log off).
  void set_level(log::level l) { log::set_level(l); }

  std::vector<std::string> lines() const {
    std::lock_guard lock(mutex_);
    return lines_;
  }

  /// Lines that contain `needle`.
  std::size_t count(std::string_view needle) const {
    std::lock_guard lock(mutex_);
    return static_cast<std::size_t>(
        std::count_if(lines_.begin(), lines_.end(), [needle](const std::string& l) {
          return l.find(needle) != std::string::npos;
        }));
  }

  /// What a throttled flood left among these lines (common/log_throttle.hpp):
  /// over the lines that contain any of `needles`, how many the throttle let
  /// through, how many were the count at the end ("Ignored N more ... (not
  /// logged one by one)"), and how many events they account for (one per
  /// line let through, plus its "(and N more", plus each final N).
  struct throttled {
    int lines = 0, totals = 0, events = 0;
  };
  throttled tally(std::initializer_list<std::string_view> needles) const {
    auto number_after = [](const std::string& line, std::string_view prefix) {
      auto at = line.find(prefix);
      return at == std::string::npos ? 0 : std::atoi(line.c_str() + at + prefix.size());
    };
    throttled t;
    for (const auto& line : lines()) {
      if (std::none_of(needles.begin(), needles.end(),
                       [&](std::string_view n) { return line.find(n) != std::string::npos; }))
        continue;
      if (line.find("(not logged one by one)") != std::string::npos) {
        ++t.totals;
        t.events += number_after(line, "Ignored ");
      } else {
        ++t.lines;
        t.events += 1 + number_after(line, "(and ");
      }
    }
    return t;
  }

private:
  log::level previous_;
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

} // namespace sb::test
