#pragma once
// What a call is doing and how it ended, as types. Decisions are made on
// these enums; text exists only at the edges: SQLite (storage/), JSON (the
// console, /realtime-sessions) and logs, through to_string / parse_*.

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

namespace sb {

/// The call supervisor's phase (the console's "state").
enum class call_phase : uint8_t {
  connecting,  ///< spawned; the OpenAI leg is being set up
  ringing,     ///< webhook answered; waiting for Twilio's Media Stream
  in_progress, ///< the stream is attached: the caller is talking to the assistant
  ending,      ///< input stopped; flushing and finalizing
  finished,    ///< the call record and job card are written
};

/// Who said a transcript turn.
enum class speaker : uint8_t { caller, assistant };

/// The call record's status column.
enum class call_status : uint8_t {
  ringing,     ///< webhook answered, no stream yet
  in_progress, ///< the stream attached
  completed,   ///< answered, and ended without an error
  failed,      ///< never answered, or ended by an error
  no_stream,   ///< the webhook was answered but Twilio's stream never came
};

/// Why a call ended. `none` while it has not.
enum class end_reason : uint8_t {
  none,
  caller_hangup,      ///< the stream's `stop`
  assistant_hangup,   ///< the end_call tool, after the goodbye played
  operator_hangup,    ///< the console's "End call"
  twilio_socket_lost, ///< the Media Stream closed without `stop`
  openai_unavailable, ///< the Realtime API could not be reached: the caller heard the apology
  no_stream,          ///< the stream never attached
  shutdown,           ///< the server stopped while the call ran
  internal_error,     ///< one of the call's own actors failed (e.g. the transcript)
  over_limit,         ///< refused at the webhook, over a call limit: sent to voicemail
  transferred,        ///< put through to a person: Twilio ended the stream for <Dial>
  server_lost,        ///< the server died mid-call; finalized from the database at the next start
  max_duration,       ///< the tenant's longest call: warned, wrapped up, hung up after playout
  caller_silent,      ///< the caller said nothing, even when asked "are you still there?"
};

/// Errors the call's actors exit with or reply (registered with CAF as
/// category "call", actors/messages.hpp).
enum class call_error : uint8_t {
  twilio_socket_lost = 1, ///< the Media Stream socket closed without `stop`
  openai_unavailable,     ///< the Realtime handshake failed
  openai_socket_lost,     ///< the Realtime socket closed
  storage_failed,         ///< a SQLite statement failed (the message says which)
  injected_fault,         ///< tests only: the __test_crash tool (SWITCHBOARD_TEST_FAULTS=1)
};

std::string_view to_string(call_phase x);
std::string_view to_string(call_status x);
std::string_view to_string(speaker x);
std::string_view to_string(end_reason x);
std::string to_string(call_error x);

std::optional<call_status> parse_call_status(std::string_view s);
std::optional<speaker> parse_speaker(std::string_view s);
std::optional<end_reason> parse_end_reason(std::string_view s);

std::ostream& operator<<(std::ostream& os, call_phase x);
std::ostream& operator<<(std::ostream& os, call_status x);
std::ostream& operator<<(std::ostream& os, end_reason x);
std::ostream& operator<<(std::ostream& os, speaker x);

/// A finished call's status follows from how it ended and whether the
/// stream was ever answered.
call_status status_after(end_reason why, bool answered);

} // namespace sb
