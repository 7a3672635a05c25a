#pragma once
// The tools the model may call, in one table: each row has the tool's name
// (spelled only here), what the model is told about it, its JSON Schema, and
// the code that runs it and builds its JSON output. The tool_call actor
// (actors/tool_call.cpp) only dispatches through this table; the session
// (receptionist/session.cpp) lists it to the model. No I/O here: a tool that
// needs the calendar names the day, and the actor reads it before running it.
// A tool that offers or records a slot names it in its outcome; the actor
// holds it for the call (receptionist/slot_holds.hpp) and, when another live
// call holds it already, runs the tool again with those times known.

#include "protocol/realtime.hpp"
#include "receptionist/slot_holds.hpp"
#include "storage/records.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::receptionist {

inline constexpr std::string_view record_booking_tool = "record_booking_details";
inline constexpr std::string_view check_availability_tool = "check_availability";
inline constexpr std::string_view end_call_tool = "end_call";
/// Handled by the call itself, not the tool actor (actors/call_transfer.cpp):
/// it needs the call's stream and Twilio's REST API.
inline constexpr std::string_view transfer_tool = "transfer_to_human";

/// What running a tool gives the call.
struct tool_outcome {
  bool ok = true;
  std::string output;           ///< JSON: the function_call_output the model reads
  bool booking_changed = false; ///< record_booking_details: the context's booking was merged
  bool end_call = false;        ///< end_call: hang up after the goodbye
  /// The slot this call should hold: the one check_availability offered, or
  /// the one record_booking_details recorded (hold_replaces: the call's other
  /// holds go, the hold follows the booking).
  std::optional<held_slot> hold = std::nullopt;
  bool hold_replaces = false;
  /// How many calls may hold `hold` at once: the tenant's slot capacity less
  /// the stored bookings overlapping it (this call's hold included).
  int hold_places = 1;
};

/// What a tool may read and change of its call.
struct tool_context {
  storage::booking& booking;     ///< the details recorded so far
  const storage::tenant& tenant; ///< its slot_capacity: bookings one slot takes (issue 17.6)
  int slot_minutes = 60;         ///< the tenant's, or the config's (tenant::slot_length)
  /// Tools with a calendar_day: the jobs booked that day (read by the caller).
  const std::vector<storage::job>* jobs_that_day = nullptr;
  /// The times ("HH:MM") other live calls hold that day, when known: a
  /// second run after the hold of `tool_outcome::hold` was refused.
  const std::vector<std::string>* held_elsewhere = nullptr;
};

struct tool_def {
  std::string_view name;
  std::string_view description;
  std::string_view parameters_json; ///< a JSON Schema object
  /// The day whose bookings the tool needs, given the call's booking so far
  /// ("" if none, or if the arguments name no day: run() then reports the
  /// error). Null: never needs any.
  std::string (*calendar_day)(const storage::booking& so_far,
                              std::string_view arguments_json) = nullptr;
  tool_outcome (*run)(tool_context& ctx, std::string_view arguments_json) = nullptr;
};

/// Every tool, in the order the model is told about them.
const std::vector<tool_def>& tool_table();

/// The row for `name`; null for a tool we do not have.
const tool_def* find_tool(std::string_view name);

/// The table as the session.update's tools.
std::vector<proto::tool_spec> tool_specs();

/// The output for a tool that could not run: {"<flag>":false,"error":why}
/// (check_availability's flag is "available", the others' "ok").
tool_outcome tool_failed(std::string_view why, std::string_view flag = "ok");

} // namespace sb::receptionist
