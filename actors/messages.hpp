#pragma once
// Every message the actors exchange, in one place (STYLE.md 3). All messages
// stay inside the process (no CAF remoting), so payload structs are
// whitelisted with CAF_ALLOW_UNSAFE_MESSAGE_TYPE instead of carrying inspect()
// overloads for serialization that would never run.

#include "net/http_types.hpp"
#include "net/ws_connection.hpp"
#include "protocol/media_stream.hpp"
#include "protocol/realtime.hpp"
#include "storage/records.hpp"

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sb::actors {

// -- atoms ------------------------------------------------------------------

using tick_atom = caf::atom_constant<caf::atom("tick")>;
using ready_atom = caf::atom_constant<caf::atom("ready")>;
using shutdown_atom = caf::atom_constant<caf::atom("shutdown")>;
using flush_atom = caf::atom_constant<caf::atom("flush")>;
using wake_atom = caf::atom_constant<caf::atom("wake")>;
using ack_atom = caf::atom_constant<caf::atom("ack")>;
using attach_atom = caf::atom_constant<caf::atom("attach")>;
using timeout_atom = caf::atom_constant<caf::atom("timeout")>;
using reconnect_atom = caf::atom_constant<caf::atom("reconnect")>;
using hangup_atom = caf::atom_constant<caf::atom("hangup")>;
using health_atom = caf::atom_constant<caf::atom("health")>;
using sessions_atom = caf::atom_constant<caf::atom("sessions")>;
using stats_atom = caf::atom_constant<caf::atom("stats")>;

// -- sockets -> their actors (control frames) -------------------------------

/// A text frame from the Twilio Media Stream socket (not media, not mark).
struct twilio_frame {
  std::string text;
  int64_t received_us = 0; ///< mono_us() when it came off the socket
};

/// The socket closed; reason empty for a normal close.
struct socket_closed {
  std::string reason;
};

/// The OpenAI handshake finished (conn null on failure).
struct openai_connected {
  net::ws_connection_ptr conn;
  std::string error;
  int http_status = 0;
};

// Audio never travels in messages: the sockets' media_relay carries it.

// -- openai socket -> supervisor --------------------------------------------

/// A Realtime server event, parsed on the io thread (all but audio deltas,
/// which the media_relay sends straight to Twilio); also openai socket ->
/// supervisor.
struct realtime_event {
  proto::rt_event ev;
  int64_t received_us = 0;
  /// speech_stopped only: when the caller's last speech frame reached the
  /// bridge from Twilio (-1 unknown), and how long the bridge held it.
  int64_t speech_end_us = -1;
  int64_t upstream_bridge_us = -1;
};

/// The Realtime session is configured (session.updated seen).
struct openai_session_ready {
  bool reconnect = false; ///< a second or later connection of this call
};

// -- supervisor -> openai socket --------------------------------------------

/// Send this client event (already-built JSON) to OpenAI.
struct openai_send {
  std::string json;
};

// -- supervisor <-> twilio socket -------------------------------------------

/// The caller started talking over the assistant: send `clear`, report the cut.
struct barge_in_request {};

/// What the caller heard of the interrupted item.
struct barge_in_cut {
  bool cleared = false;  ///< audio was queued or playing, and `clear` was sent
  std::string item_id;
  int64_t heard_ms = 0;
  int64_t sent_ms = 0; ///< audio of item_id sent to Twilio
};

/// First audio byte of an assistant item went out to Twilio.
struct first_audio_sent {
  std::string item_id;
  int64_t received_us = 0; ///< from OpenAI
  int64_t sent_us = 0;     ///< to Twilio
};

/// Close the stream (hang up) once everything queued has played.
struct hangup_after_playout {};

/// The stream's `stop` arrived: the caller hung up.
struct stream_stopped {};

/// A DTMF digit from the caller.
struct dtmf_digit {
  std::string digit;
};

// -- registry ----------------------------------------------------------------

/// The Voice webhook: a call for a known tenant. The registry spawns its
/// supervisor and answers the webhook with TwiML through `respond`.
struct inbound_call {
  storage::call_record call;
  net::responder respond; ///< empty: the route answered already (tenant_cache)
};

/// A Media Stream socket whose `start` named this call.
struct stream_arrived {
  net::ws_connection_ptr conn;
  proto::twilio_event start;
};

/// A supervisor's view of its call, pushed to the registry on change.
struct call_snapshot {
  std::string call_sid;
  std::string tenant_number;
  std::string tenant_name;
  std::string from;
  int64_t started_at_ms = 0;
  std::string state; ///< connecting | ringing | in_progress | ending
  int turns = 0;
  bool has_booking = false;
  bool openai_connected = false;
};

/// Health as the registry sees it.
struct health_info {
  int active_sessions = 0;
  bool openai_connected = false;     ///< the last OpenAI handshake observed succeeded
  int64_t openai_observed_at_ms = 0; ///< when (0: never)
};

/// An OpenAI socket reports a handshake outcome to the registry.
struct openai_observation {
  bool connected = false;
};

/// The recording status callback: store the URL, then answer.
struct recording_update {
  std::string call_sid;
  std::string url;
  int duration_s = 0;
  net::responder respond;
};

/// An HTTP request answered by an actor.
struct http_query {
  net::responder respond;
};

// -- transcript ---------------------------------------------------------------

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

// -- tools ----------------------------------------------------------------------

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
  std::optional<storage::booking> booking; ///< record_booking_details: the merged booking
  bool end_call = false;
  int64_t duration_us = 0;
};

// -- storage ----------------------------------------------------------------------

struct find_tenant {
  std::string number;
};
struct begin_call {
  storage::call_record call;
};
struct append_turn {
  storage::transcript_turn turn;
};
struct set_recording {
  std::string call_sid;
  std::string url;
  int duration_s = 0;
};
struct finalize_call {
  storage::call_record call;
  storage::job job;
  std::string push_url;
  std::string push_body;
};
struct jobs_on_day {
  std::string tenant_number;
  std::string date;
};
struct due_notifications {
  int64_t now_ms = 0;
  int limit = 0;
};
struct notification_delivered {
  int64_t id = 0;
};
struct notification_failed {
  int64_t id = 0;
  int attempts = 0;
  int64_t next_attempt_at_ms = 0;
  std::string error;
  bool give_up = false;
};
/// The notifier's HTTP attempt finished.
struct delivery_outcome {
  storage::outbox_entry entry;
  int status = 0;
  std::string error;
};

/// A storage failure, returned as a value.
struct storage_error {
  std::string message;
};

// -- introspection (the console) ---------------------------------------------------

/// Each call actor's periodic self-report (every 500 ms while a console exists).
using report_atom = caf::atom_constant<caf::atom("report")>;

/// What an actor reports about itself to the introspection actor. Only the
/// actor itself reads its own counters and mailbox (no cross-thread reads).
struct actor_report {
  std::string call_sid;
  std::string name;  ///< call_supervisor | openai_socket | twilio_socket | transcript | tool_call
  uint64_t actor_id = 0;
  std::string state; ///< the actor's own word for what it is doing
  int64_t messages_in = 0;
  int64_t messages_out = 0;
  int64_t mailbox = 0; ///< messages waiting when the report was made
};

/// A supervisor's record of one child slot: restarts and last failure.
struct child_health {
  std::string name;
  int restarts = 0;
  std::string last_error;
};

/// A call as its supervisor sees it, for the console.
struct call_report {
  storage::call_record call; ///< usage, barge-ins, reconnects, end reason so far
  std::string tenant_name;
  std::string state;
  int turns = 0;
  storage::booking booking;
  std::vector<child_health> children;
  bool finished = false; ///< the call record and job card are written
  int64_t job_id = 0;    ///< with finished: the job card (0: none)
};

/// One line of a call's live log: caller/assistant words, barge-ins, tools.
struct call_line {
  std::string call_sid;
  std::string kind; ///< caller | assistant | barge_in | tool | event
  std::string text;
  int latency_ms = -1; ///< assistant: caller speech end -> first audio out
  int64_t at_ms = 0;
};

struct openai_socket_args;
struct finalize_args;

} // namespace sb::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::actors::twilio_frame)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::actors::socket_closed)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::actors::openai_connected)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::actors::realtime_event)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::actors::openai_session_ready)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::actors::openai_send)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::actors::barge_in_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::actors::barge_in_cut)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::actors::first_audio_sent)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::actors::hangup_after_playout)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::actors::stream_stopped)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::actors::dtmf_digit)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::actors::inbound_call)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::actors::stream_arrived)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::actors::call_snapshot)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::actors::health_info)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::actors::openai_observation)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::actors::http_query)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::actors::caller_said)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::actors::assistant_said)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::actors::assistant_truncated)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::actors::transcript_so_far)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::actors::tool_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::actors::tool_result)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::actors::find_tenant)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::actors::begin_call)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::actors::append_turn)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::actors::set_recording)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::actors::finalize_call)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::actors::jobs_on_day)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::actors::due_notifications)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::actors::notification_delivered)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::actors::notification_failed)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::actors::delivery_outcome)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::actors::storage_error)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::storage::tenant)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::optional<sb::storage::tenant>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<sb::storage::job>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<sb::storage::outbox_entry>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::storage::booking)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::actors::recording_update)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::actors::openai_socket_args)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::actors::finalize_args)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::actors::actor_report)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::actors::call_report)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::actors::call_line)
