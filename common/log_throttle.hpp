#pragma once
// At most one log line per interval for an event that can come in a flood
// (unsigned webhooks from a scanner, say): the line says how many were held
// back since the last one. Thread-safe. Also per peer, for bad input that a
// broken or hostile peer can repeat on every frame (actors/twilio_socket.cpp,
// actors/openai_socket.cpp): its owner logs held_back() once at the end.

#include <cstdint>
#include <mutex>
#include <string>

namespace sb::log {

class throttle {
public:
  explicit throttle(int64_t interval_ms) : interval_ms_(interval_ms) {}

  /// True: write the line now; `held_back` is how many events were not
  /// logged since the last line. False: count this one and stay quiet.
  bool allow(int64_t now_ms, int64_t& held_back) {
    std::lock_guard lock(mutex_);
    if (logged_once_ && now_ms - last_ms_ < interval_ms_) {
      ++held_back_;
      return false;
    }
    held_back = held_back_;
    held_back_ = 0;
    last_ms_ = now_ms;
    logged_once_ = true;
    return true;
  }

  /// Events counted but not logged since the last line.
  int64_t held_back() const {
    std::lock_guard lock(mutex_);
    return held_back_;
  }

private:
  const int64_t interval_ms_;
  mutable std::mutex mutex_;
  bool logged_once_ = false;
  int64_t last_ms_ = 0;
  int64_t held_back_ = 0;
};

/// What a line let through by a throttle adds: "" or
/// " (and N more since the last such line)".
inline std::string more_since(int64_t held_back) {
  return held_back > 0 ? " (and " + std::to_string(held_back) + " more since the last such line)"
                       : std::string{};
}

} // namespace sb::log
