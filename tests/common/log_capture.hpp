#pragma once
// The log's lines while a test looks at them (common/log.hpp's sink), for
// tests of what gets logged: how many lines a flood of bad input costs, say.
// Restores stderr and the level when it goes.

#include "common/log.hpp"

#include <algorithm>
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

private:
  log::level previous_;
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

} // namespace sb::test
