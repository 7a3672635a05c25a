#pragma once
// Messages inside one call: its transcript, its tool calls and the slot
// holds they take.
// Part of actors/messages.hpp (include that one); docs/STYLE.md 3.

#include "actors/inspect_records.hpp"

#include <caf/actor_addr.hpp>
#include <caf/meta/type_name.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace sb::actors {

// -- transcript -------------------------------------------------------------------------

/// The caller's words (input transcription completed).
struct caller_said {
  std::string item_id;
  std::string text;
  int64_t started_at_ms = 0;
  int64_t ended_at_ms = 0;
};

/// The assistant's words for one item (output_audio_transcript.done).
struct assistant_said {
  std::string item_id;
  std::string text;
  int64_t started_at_ms = 0;
  int64_t ended_at_ms = 0;
  int latency_ms = -1;
  int bridge_latency_ms = -1;
};

/// Barge-in cut this assistant item after heard_ms of sent_ms.
struct assistant_truncated {
  std::string item_id;
  int64_t heard_ms = 0;
  int64_t sent_ms = 0;
};

/// The turns so far (for the replay after an OpenAI reconnect and the finalizer).
struct transcript_so_far {
  std::vector<storage::transcript_turn> turns;
};

// -- tools ------------------------------------------------------------------------------

struct tool_request {
  std::string call_id;
  std::string name;
  std::string arguments; ///< JSON
};

struct tool_result {
  std::string call_id;
  std::string name;
  std::string output; ///< JSON, sent back as function_call_output
  bool ok = true;
  bool has_booking = false; ///< record_booking_details: `booking` is the merged booking
  storage::booking booking;
  bool end_call = false;
  int64_t duration_us = 0;
};

// -- slot holds ---------------------------------------------------------------------------

/// Hold a slot for a live call (tool call -> slot holds), unless `places`
/// other live calls hold overlapping ones (same tenant and day).
struct hold_slot {
  std::string tenant_number;
  std::string date; ///< YYYY-MM-DD
  std::string time; ///< HH:MM
  std::string call_sid;
  caf::actor_addr owner; ///< the call's supervisor: its holds go when it does
  bool replace = false;  ///< the call's other holds go (the hold follows the booking)
  int slot_minutes = 0;  ///< the tenant's slot length (0: tools.slot_minutes)
  int places = 1;        ///< the tenant's capacity less its stored bookings there
};

/// The answer to hold_slot.
struct hold_reply {
  bool held = false;
  std::vector<std::string> conflicts; ///< not held: the times other calls hold
};

/// The call ended (supervisor -> slot holds): its job card is written, its holds go.
struct release_holds {
  std::string call_sid;
};

// -- inspect: these payloads ------------------------------------------------------------

template <class F> auto inspect(F& f, caller_said& x) {
  return f(caf::meta::type_name("caller_said"), x.item_id, x.text, x.started_at_ms, x.ended_at_ms);
}
template <class F> auto inspect(F& f, assistant_said& x) {
  return f(caf::meta::type_name("assistant_said"), x.item_id, x.text, x.started_at_ms,
           x.ended_at_ms, x.latency_ms, x.bridge_latency_ms);
}
template <class F> auto inspect(F& f, assistant_truncated& x) {
  return f(caf::meta::type_name("assistant_truncated"), x.item_id, x.heard_ms, x.sent_ms);
}
template <class F> auto inspect(F& f, transcript_so_far& x) {
  return f(caf::meta::type_name("transcript_so_far"), x.turns);
}
template <class F> auto inspect(F& f, tool_request& x) {
  return f(caf::meta::type_name("tool_request"), x.call_id, x.name, x.arguments);
}
template <class F> auto inspect(F& f, tool_result& x) {
  return f(caf::meta::type_name("tool_result"), x.call_id, x.name, x.output, x.ok, x.has_booking,
           x.booking, x.end_call, x.duration_us);
}
template <class F> auto inspect(F& f, hold_slot& x) {
  return f(caf::meta::type_name("hold_slot"), x.tenant_number, x.date, x.time, x.call_sid, x.owner,
           x.slot_minutes, x.places, x.replace);
}
template <class F> auto inspect(F& f, hold_reply& x) {
  return f(caf::meta::type_name("hold_reply"), x.held, x.conflicts);
}
template <class F> auto inspect(F& f, release_holds& x) {
  return f(caf::meta::type_name("release_holds"), x.call_sid);
}

} // namespace sb::actors
