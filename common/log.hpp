#pragma once
// Process-wide logging to stderr, one line per event, as text:
//   2026-11-27T12:00:00.123Z INFO  [RealtimeServer] Connected to OpenAI Realtime API
// or, with format::json (config.toml [log] format, env SWITCHBOARD_LOG_FORMAT),
// one JSON object per line for a log shipper:
//   {"ts":"2026-11-27T12:00:00.123Z","level":"info","component":"RealtimeServer",
//    "call_sid":"CA...","tenant":"Bright Plumbing","message":"Connected to ..."}
// Thread-safe. Secrets never reach this: callers log SIDs and sizes, never
// tokens, keys or audio payloads.

#include <functional>
#include <string>
#include <string_view>

namespace sb::log {

enum class level { debug = 0, info = 1, warn = 2, error = 3, off = 4 };
enum class format { text, json };

/// What a line is about, when known: a call's actors hold one (in their
/// services) and pass it along; JSON lines carry it as fields. Text lines
/// leave it out (their messages name the call already).
struct context {
  std::string call_sid;
  std::string tenant; ///< the tenant's name
};

/// Sets the minimum level printed. Default: info, or SWITCHBOARD_LOG_LEVEL
/// (debug|info|warn|error|off) read once at first use.
void set_level(level l);
level current_level();

/// Default: text, or SWITCHBOARD_LOG_FORMAT (text|json) read once at first
/// use; the server sets config.toml's [log] format when it starts.
void set_format(format f);
format current_format();
/// "text" or "json"; false for anything else.
bool parse_format(std::string_view name, format& out);

/// Where finished lines go (without their newline) instead of stderr; an
/// empty function restores stderr. Tests capture the log through this.
void set_sink(std::function<void(std::string_view line)> sink);

void write(level l, std::string_view component, std::string_view message, const context& ctx = {});

/// One event on a wire, for a debug switch (DEBUG_REALTIME, DEBUG_TWILIO):
/// printed at level debug whatever the minimum level, since the switch asked
/// for it. `event_json` is one compact JSON value (proto::summarize_event);
/// text: "CA... -> session.update {...}", JSON: "direction" and "event" fields.
void wire(std::string_view component, const context& ctx, bool sent, std::string_view type,
          std::string_view event_json);

/// Whether `l` is printed: check it before building a costly message on a
/// hot path (the per-request debug line, for one).
inline bool enabled(level l) {
  return l >= current_level();
}

inline void debug(std::string_view c, std::string_view m, const context& ctx = {}) {
  write(level::debug, c, m, ctx);
}
inline void info(std::string_view c, std::string_view m, const context& ctx = {}) {
  write(level::info, c, m, ctx);
}
inline void warn(std::string_view c, std::string_view m, const context& ctx = {}) {
  write(level::warn, c, m, ctx);
}
inline void error(std::string_view c, std::string_view m, const context& ctx = {}) {
  write(level::error, c, m, ctx);
}

} // namespace sb::log
