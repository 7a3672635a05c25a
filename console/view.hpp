#pragma once
// What the introspection actor knows, as plain values, and its JSON form
// (the console feed's one message type: a full snapshot, pushed on change).

#include "actors/messages.hpp"

#include <cstdint>
#include <deque>
#include <map>
#include <string>

namespace sb::console {

/// One call as the console shows it.
struct call_view {
  actors::call_report report;
  bool has_report = false;
  std::map<std::string, actors::actor_report> actors; ///< by actor name
  std::map<std::string, int64_t> reported_at_ms;      ///< by actor name
  std::deque<actors::call_line> lines;                ///< the last max_lines
  int64_t ended_at_ms = 0;
};

struct console_view {
  std::map<std::string, call_view> active; ///< by CallSid
  std::deque<call_view> finished;          ///< newest first, at most max_finished
};

inline constexpr std::size_t max_lines = 200;
inline constexpr std::size_t max_finished = 20;
/// {"type":"snapshot","now":ms,"calls":[...],"finished":[...]}. A call's
/// costUsd is the one its supervisor priced and stores (call_record::cost_usd).
/// An actor whose last report is older than `stale_after_ms` is shown down
/// (the introspection actor sets it from its polling pace).
std::string snapshot_json(const console_view& v, int64_t now_ms, int64_t stale_after_ms);

} // namespace sb::console
