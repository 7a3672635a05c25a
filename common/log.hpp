#pragma once
// Process-wide logging to stderr, one line per event:
//   2026-11-27T12:00:00.123Z INFO  [RealtimeServer] Connected to OpenAI Realtime API
// Thread-safe. Secrets never reach this: callers log SIDs and sizes, never
// tokens, keys or audio payloads.

#include <string_view>

namespace sb::log {

enum class level { debug = 0, info = 1, warn = 2, error = 3, off = 4 };

/// Sets the minimum level printed. Default: info, or SWITCHBOARD_LOG_LEVEL
/// (debug|info|warn|error|off) read once at first use.
void set_level(level l);
level current_level();

void write(level l, std::string_view component, std::string_view message);

/// Whether `l` is printed: check it before building a costly message on a
/// hot path (the per-request debug line, for one).
inline bool enabled(level l) {
  return l >= current_level();
}

inline void debug(std::string_view c, std::string_view m) {
  write(level::debug, c, m);
}
inline void info(std::string_view c, std::string_view m) {
  write(level::info, c, m);
}
inline void warn(std::string_view c, std::string_view m) {
  write(level::warn, c, m);
}
inline void error(std::string_view c, std::string_view m) {
  write(level::error, c, m);
}

} // namespace sb::log
