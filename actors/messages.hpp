#pragma once
// Every message the actors exchange, in one place (docs/STYLE.md 3): the atoms,
// one per meaning, and the payload structs. Payloads made of values carry a
// 0.17-style inspect() so that CAF can check, copy and print them; only the
// few that hold a live handle (a socket, an HTTP responder) are whitelisted
// with CAF_ALLOW_UNSAFE_MESSAGE_TYPE, at the end of this file, each with the
// reason. No message leaves the process (no CAF remoting).
//
// Who sends what to whom is in actors/interfaces.hpp, checked by the compiler.

#include "actors/inspect_records.hpp"
#include "actors/webhook_answer.hpp"
#include "common/call_types.hpp"
#include "net/ws_connection.hpp"
#include "protocol/media_stream.hpp"
#include "relay/media_relay.hpp"

#include <caf/actor_addr.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/meta/type_name.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace sb::actors {

// -- atoms: one meaning each ----------------------------------------------------

/// An actor's own timer: the notifier polls its outbox; the console pushes its view.
using tick_atom = caf::atom_constant<caf::atom("tick")>;
/// Stop now (storage, notifier, introspection), or end every call (registry).
using shutdown_atom = caf::atom_constant<caf::atom("shutdown")>;
/// The transcript: reply once every turn so far is stored.
using flush_atom = caf::atom_constant<caf::atom("flush")>;
/// The transcript's reply to flush_atom: every turn is stored (or failed, logged).
using flushed_atom = caf::atom_constant<caf::atom("flushed")>;
/// The call supervisor's own timer: the post-call analysis took too long.
using analysis_atom = caf::atom_constant<caf::atom("analysis")>;
/// The notifier: check the outbox now (a job card was just written).
using wake_atom = caf::atom_constant<caf::atom("wake")>;
/// Storage's reply to a write: it is committed.
using stored_atom = caf::atom_constant<caf::atom("stored")>;
/// The registry's reply to shutdown_atom: every call has been finalized.
using drained_atom = caf::atom_constant<caf::atom("drained")>;
/// The supervisor's own timer: a tool is still running after tools.ack_after.
using tool_slow_atom = caf::atom_constant<caf::atom("toolslow")>;
/// A timer: the stream did not attach (supervisor); a tool ran too long (tool call).
using timeout_atom = caf::atom_constant<caf::atom("timeout")>;
/// The OpenAI socket's own timer: the reconnect backoff is over, connect now.
using connect_atom = caf::atom_constant<caf::atom("connect")>;
/// End this call as an operator asked (console, server::hang_up).
using hangup_atom = caf::atom_constant<caf::atom("hangup")>;
/// The supervisor's own timer: the call's longest time is near (stage 0:
/// warn the caller), reached (1: wrap up), or past its wrap-up grace (2).
using max_call_atom = caf::atom_constant<caf::atom("maxcall")>;
/// The supervisor's own timer: look whether the line has been silent too long.
using silence_atom = caf::atom_constant<caf::atom("silence")>;
/// The supervisor's own timer: the Realtime session is near its time limit;
/// move the call to a fresh one (actors/session_recycle.cpp).
using recycle_atom = caf::atom_constant<caf::atom("recycle")>;
/// Supervisor -> a standby OpenAI socket: become the call's live session now.
using take_over_atom = caf::atom_constant<caf::atom("takeover")>;
/// The registry's health figures.
using health_atom = caf::atom_constant<caf::atom("health")>;
/// Storage and the notifier: report what the health check needs to this actor.
using health_sink_atom = caf::atom_constant<caf::atom("hsink")>;
/// The registry's live calls.
using sessions_atom = caf::atom_constant<caf::atom("sessions")>;
/// The number of live calls.
using count_atom = caf::atom_constant<caf::atom("count")>;
/// An actor's own timer: report itself to the console (actors/introspect.hpp).
using report_atom = caf::atom_constant<caf::atom("report")>;
/// The supervisor: the hand-over line (generation N) has played, or its
/// time is up (self, and the media relay's playout callback).
using handed_over_atom = caf::atom_constant<caf::atom("handover")>;
/// The supervisor's own timer: the caller's keys (generation N) are complete.
using digits_done_atom = caf::atom_constant<caf::atom("digitsdone")>;
/// The introspection actor: where operators' hang-ups go (the registry).
using registry_atom = caf::atom_constant<caf::atom("registry")>;
/// The registry's own: a held call's grace period is over (actors/call_resume.hpp).
using resume_expired_atom = caf::atom_constant<caf::atom("resumeexp")>;

// -- sockets -> their actors (control frames; audio never travels in messages) --

/// A text frame from the Twilio Media Stream socket (not media, not mark).
struct twilio_frame {
  std::string text;
  int64_t received_us = 0; ///< mono_us() when it came off the socket
};

/// The socket closed; reason empty for a normal close.
struct socket_closed {
  std::string reason;
};

/// The OpenAI handshake finished (conn null on failure). Whitelisted: a socket.
struct openai_connected {
  net::ws_connection_ptr conn;
  std::string error;
  int http_status = 0;
};

/// A Realtime server event, parsed on the io thread (all but audio deltas,
/// which the media relay sends straight to Twilio).
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
  /// A standby session opened before the live one's time limit: configured,
  /// but not carrying the call until take_over_atom.
  bool standby = false;
};

/// Send this client event (already-built JSON) to OpenAI.
struct openai_send {
  std::string json;
};

// -- supervisor <-> twilio socket -------------------------------------------------

/// The caller started talking over the assistant: send `clear`, reply what was heard.
struct barge_in_request {};

using relay::barge_in_cut;
using relay::first_audio_sent;

/// Close the stream (hang up) once everything queued has played.
struct hangup_after_playout {};

/// Play this raw mu-law audio (the apology), then close the stream.
struct play_then_hangup {
  std::string audio;
};

/// The stream's `stop` arrived: the caller hung up.
struct stream_stopped {};

/// A DTMF digit from the caller.
struct dtmf_digit {
  std::string digit;
};

// -- registry -----------------------------------------------------------------------

/// The Voice webhook (actors/webhook_answer.hpp): the registry spawns the
/// call's supervisor and answers with TwiML through `respond`.
/// Whitelisted: the responder is a callback into the HTTP session.
struct inbound_call {
  storage::call_record call;
  twiml_responder respond; ///< empty: the route answered already (tenant_cache)
};

/// A caller turned away over a call limit and offered voicemail
/// (webhook_answer.hpp path 6): the registry stores the call, so the
/// recording callback finds it.
struct refused_call {
  storage::call_record call;
  storage::tenant tenant;
  std::string why; ///< the admission verdict, e.g. "tenant_busy"
};

/// A Media Stream socket whose `start` named this call. Whitelisted: a socket.
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
  call_phase phase = call_phase::connecting;
  int turns = 0;
  bool has_booking = false;
  bool openai_connected = false;
  /// What the registry needs to finalize the call from the database should
  /// its supervisor die (actors/call_registry.hpp): the stream's start (0:
  /// not answered) and the booking so far, which lives only in the call's actors.
  int64_t answered_at_ms = 0;
  storage::booking booking;
};

/// The live calls, as the registry knows them (for /realtime-sessions).
struct sessions_info {
  std::vector<call_snapshot> calls;
};

/// One reason the service is degraded: a stable code for machines
/// (storage_failing, openai_unreachable, outbox_backlog) and a line for people.
struct health_reason {
  std::string code;
  std::string detail;
};

/// Health as the registry sees it: degraded when `reasons` is not empty.
struct health_info {
  int active_sessions = 0;
  bool openai_connected = false;     ///< the last OpenAI handshake observed succeeded
  int64_t openai_observed_at_ms = 0; ///< when (0: never)
  std::vector<health_reason> reasons;
};

/// Storage reports a write's outcome to the registry: every failure, the
/// writes kept in memory as their count changes, and the first success
/// after a failure or the queue drained (a healthy store sends nothing).
struct storage_write_report {
  bool ok = true;
  std::string error;   ///< the store's message when !ok
  int64_t pending = 0; ///< writes kept in memory for the database (actors/write_queue.hpp)
};

/// The notifier reports the outbox as it saw it at its last poll.
struct outbox_report {
  storage::outbox_backlog backlog;
};

/// An OpenAI socket reports a handshake outcome to the registry.
struct openai_observation {
  bool connected = false;
};

/// The recording status callback: store the URL on the call. The answer is
/// false when no call has that CallSid (nothing is stored).
struct recording_update {
  std::string call_sid;
  std::string url;
  int duration_s = 0;
};

/// What Twilio runs once the call's stream has ended (the <Redirect> after
/// </Connect>, docs/protocols.md 1): a supervisor says so before it closes
/// the stream; the call-next route asks with call_next_query.
struct call_next {
  std::string call_sid;
  bool voicemail = false; ///< false: hang up
  std::string why;        ///< for the log, e.g. "openai_unavailable"
  /// The call's stream was lost and the call is held open (actors/call_resume.hpp):
  /// the TwiML that picks the caller up again (<Connect><Stream>); "" : none.
  std::string resume_twiml;
};

/// A supervisor whose Twilio stream was lost (no `stop`) hands its call to
/// the registry to be held open for [resume] grace_ms, then quits; its
/// transcript is flushed first (actors/call_resume.hpp).
struct call_lost {
  storage::call_record call; ///< as it stands; end_reason: why it would end
};

struct call_next_query {
  std::string call_sid;
};

/// <Dial>'s action callback after a transfer (docs/protocols.md 6): its
/// DialCallStatus goes on the call and its job card, by CallSid, whether
/// the call is still live or finalized already. Answer: false for a call
/// this server does not know (nothing stored).
struct transfer_ended {
  std::string call_sid;
  std::string dial_status;
};

/// Put this caller through to a person (actors/call_transfer.cpp). The
/// answer is "" when the transfer has started, else why not (for the
/// operator, and the model).
struct transfer_request {
  std::string reason; ///< "tool: <why>", "dtmf", "operator"
};

/// The console asks to transfer a live call; the answer as transfer_request's
/// ("no such live call" when it is not).
struct operator_transfer {
  std::string call_sid;
};

/// The REST update that redirects the call to <Dial> was answered.
struct transfer_rest_done {
  bool ok = false;
  std::string detail; ///< a refusal: Twilio's status, code and message
};

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

// -- storage ----------------------------------------------------------------------------

struct find_tenant {
  std::string number;
};
/// find_tenant's answer.
struct tenant_lookup {
  bool found = false;
  storage::tenant tenant;
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
  bool live = false; ///< the call is in progress: make its row if not there yet
};
/// <Dial>'s outcome on the call and its card (store::set_transfer_status).
struct set_transfer_status {
  std::string call_sid;
  std::string dial_status;
  bool live = false; ///< the call is in progress: make its row if not there yet
};
struct finalize_call {
  storage::call_record call;
  storage::job job;
  std::string push_url;
  std::string push_body;
  /// Only if the call has not been finalized yet (its stored end reason is
  /// empty); otherwise nothing is written and the reply is the job card that
  /// stands. The finalizer always sets it: whichever of a supervisor and the
  /// registry's recovery comes first writes the call, once.
  bool once = false;
};
/// A call as stored so far (the registry's recovery of a call whose
/// supervisor died): answered with stored_call.
struct load_call {
  std::string call_sid;
};
struct stored_call {
  bool found = false;
  storage::call_record call;
  std::vector<storage::transcript_turn> turns;
  storage::booking draft; ///< the booking details written ahead (empty: none)
};
/// Write ahead (a tool actor, as record_booking_details lands): the call's
/// booking details so far, so that its job card survives a crash.
struct save_booking_draft {
  std::string call_sid;
  storage::booking booking;
};
/// Write ahead (a supervisor): the live call's status changed (the stream
/// attached: in_progress, with its answer time and its resumes, so that a
/// call picked up again and then lost again keeps its count). Answered
/// false when no open call has that CallSid.
struct set_call_status {
  std::string call_sid;
  call_status status = call_status::ringing;
  int64_t answered_at_ms = 0;
  int resumes = 0;
};
/// A supervisor: the call is being recorded to `path` (issue 17.3).
/// Answered false when no call has that CallSid.
struct set_recording_file {
  std::string call_sid;
  std::string path;
};
/// The daily retention sweep (app/server.cpp): recordings of calls older
/// than `retention_days` are removed (recording/retention.hpp); answered
/// with how many.
struct sweep_recordings {
  int retention_days = 0;
};
/// The registry at start: the calls this node left open (the server died
/// under them), each with its business; answered std::vector<lost_call>.
struct open_calls {
  std::string node_id;
};
struct lost_call {
  storage::call_record call;
  storage::tenant tenant; ///< empty number: the business is gone (no push)
};
struct jobs_on_day {
  std::string tenant_number;
  std::string date;
};
/// The console's Reports page (issue 17.5): store::report of one tenant.
struct report_query {
  std::string tenant_number;
  bool weekly = false; ///< per week (from Monday, UTC), else per day
};
/// The console's Variants page (issue 17.2): the tenant's live variants.
struct variants_query {
  std::string tenant_number;
};
/// variants_query's answer: the live variants (store::variants_of) and the
/// outcomes per variant name over every call (store::variant_report).
struct variants_overview {
  std::vector<storage::variant> live;
  std::vector<storage::variant_outcome> outcomes;
};
/// Every tenant (the console's pages pick one).
struct tenants_query {};
struct due_notifications {
  int64_t now_ms = 0;
  int limit = 0;
};
/// The notifier asks how many notifications wait, and since when.
struct outbox_backlog_query {};
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

// -- finalizer ----------------------------------------------------------------------------

/// Write this finished call (after flushing its transcript, if any).
/// `transcript` is the call's transcript actor as an untyped handle: the
/// finalizer asks it flush_atom only (actors/interfaces.hpp).
struct finalize_request {
  storage::call_record call;
  storage::tenant tenant;
  storage::booking booking;
  /// The post-call analysis (JSON: intent, sentiment, summary); empty with
  /// analysis_asked: it failed or timed out, and the card is for review.
  std::string analysis;
  bool analysis_asked = false;
};

/// Finalize a call whose supervisor died (registry -> finalizer): from the
/// call as stored, with what the registry knew of it (`call`: its end reason
/// and times; `booking`: the last the supervisor published). Answered with
/// the job card's id, 0 if the call had been finalized already.
struct recover_call {
  storage::call_record call;
  storage::tenant tenant;
  storage::booking booking;
};

// -- introspection (the console) -------------------------------------------------------------

/// What an actor reports about itself to the introspection actor. Only the
/// actor itself reads its own counters and mailbox (no cross-thread reads).
struct actor_report {
  std::string call_sid;
  std::string name; ///< call_supervisor | openai_socket | twilio_socket | transcript | tool_call
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
  call_phase phase = call_phase::connecting;
  int turns = 0;
  storage::booking booking;
  std::vector<child_health> children;
  int64_t job_id = 0; ///< finished: the job card (0: none)
};

/// One line of a call's live log: caller/assistant words, barge-ins, tools.
struct call_line {
  std::string call_sid;
  std::string kind;    ///< caller | assistant | barge_in | tool | event
  std::string text;    ///< for a cut reply: the part the caller heard
  int latency_ms = -1; ///< assistant: caller speech end -> first audio out
  int64_t at_ms = 0;
  std::string item_id; ///< assistant: its item; a later line for it replaces this one
  std::string unheard; ///< assistant, cut by a barge-in: generated but not heard
};

/// A console WebSocket that wants the feed. Whitelisted: a socket.
struct feed_subscribe {
  net::ws_connection_ptr conn;
};

/// That socket closed (identified by address: holding the pointer would
/// keep a closed connection alive).
struct feed_unsubscribe {
  std::uintptr_t conn = 0;
};

/// The console asks to end a live call; replies whether it was live.
struct operator_hangup {
  std::string call_sid;
};

// -- inspect: every value payload ------------------------------------------------------------

template <class F> auto inspect(F& f, twilio_frame& x) {
  return f(caf::meta::type_name("twilio_frame"), x.text, x.received_us);
}
template <class F> auto inspect(F& f, socket_closed& x) {
  return f(caf::meta::type_name("socket_closed"), x.reason);
}
template <class F> auto inspect(F& f, realtime_event& x) {
  return f(caf::meta::type_name("realtime_event"), x.ev, x.received_us, x.speech_end_us,
           x.upstream_bridge_us);
}
template <class F> auto inspect(F& f, openai_session_ready& x) {
  return f(caf::meta::type_name("openai_session_ready"), x.reconnect, x.standby);
}
template <class F> auto inspect(F& f, openai_send& x) {
  return f(caf::meta::type_name("openai_send"), x.json);
}
template <class F> auto inspect(F& f, barge_in_request&) {
  return f(caf::meta::type_name("barge_in_request"));
}
template <class F> auto inspect(F& f, hangup_after_playout&) {
  return f(caf::meta::type_name("hangup_after_playout"));
}
template <class F> auto inspect(F& f, play_then_hangup& x) {
  return f(caf::meta::type_name("play_then_hangup"), x.audio);
}
template <class F> auto inspect(F& f, stream_stopped&) {
  return f(caf::meta::type_name("stream_stopped"));
}
template <class F> auto inspect(F& f, dtmf_digit& x) {
  return f(caf::meta::type_name("dtmf_digit"), x.digit);
}
template <class F> auto inspect(F& f, call_snapshot& x) {
  return f(caf::meta::type_name("call_snapshot"), x.call_sid, x.tenant_number, x.tenant_name,
           x.from, x.started_at_ms, x.phase, x.turns, x.has_booking, x.openai_connected,
           x.answered_at_ms, x.booking);
}
template <class F> auto inspect(F& f, sessions_info& x) {
  return f(caf::meta::type_name("sessions_info"), x.calls);
}
template <class F> auto inspect(F& f, health_info& x) {
  return f(caf::meta::type_name("health_info"), x.active_sessions, x.openai_connected,
           x.openai_observed_at_ms, x.reasons);
}
template <class F> auto inspect(F& f, health_reason& x) {
  return f(caf::meta::type_name("health_reason"), x.code, x.detail);
}
template <class F> auto inspect(F& f, storage_write_report& x) {
  return f(caf::meta::type_name("storage_write_report"), x.ok, x.error, x.pending);
}
template <class F> auto inspect(F& f, outbox_report& x) {
  return f(caf::meta::type_name("outbox_report"), x.backlog);
}
template <class F> auto inspect(F& f, outbox_backlog_query&) {
  return f(caf::meta::type_name("outbox_backlog_query"));
}
template <class F> auto inspect(F& f, openai_observation& x) {
  return f(caf::meta::type_name("openai_observation"), x.connected);
}
template <class F> auto inspect(F& f, call_next& x) {
  return f(caf::meta::type_name("call_next"), x.call_sid, x.voicemail, x.why, x.resume_twiml);
}
template <class F> auto inspect(F& f, call_lost& x) {
  return f(caf::meta::type_name("call_lost"), x.call);
}

template <class F> auto inspect(F& f, refused_call& x) {
  return f(caf::meta::type_name("refused_call"), x.call, x.tenant, x.why);
}

template <class F> auto inspect(F& f, call_next_query& x) {
  return f(caf::meta::type_name("call_next_query"), x.call_sid);
}

template <class F> auto inspect(F& f, transfer_ended& x) {
  return f(caf::meta::type_name("transfer_ended"), x.call_sid, x.dial_status);
}
template <class F> auto inspect(F& f, transfer_request& x) {
  return f(caf::meta::type_name("transfer_request"), x.reason);
}
template <class F> auto inspect(F& f, operator_transfer& x) {
  return f(caf::meta::type_name("operator_transfer"), x.call_sid);
}
template <class F> auto inspect(F& f, transfer_rest_done& x) {
  return f(caf::meta::type_name("transfer_rest_done"), x.ok, x.detail);
}
template <class F> auto inspect(F& f, set_transfer_status& x) {
  return f(caf::meta::type_name("set_transfer_status"), x.call_sid, x.dial_status, x.live);
}
template <class F> auto inspect(F& f, recording_update& x) {
  return f(caf::meta::type_name("recording_update"), x.call_sid, x.url, x.duration_s);
}
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
template <class F> auto inspect(F& f, find_tenant& x) {
  return f(caf::meta::type_name("find_tenant"), x.number);
}
template <class F> auto inspect(F& f, tenant_lookup& x) {
  return f(caf::meta::type_name("tenant_lookup"), x.found, x.tenant);
}
template <class F> auto inspect(F& f, begin_call& x) {
  return f(caf::meta::type_name("begin_call"), x.call);
}
template <class F> auto inspect(F& f, append_turn& x) {
  return f(caf::meta::type_name("append_turn"), x.turn);
}
template <class F> auto inspect(F& f, set_recording& x) {
  return f(caf::meta::type_name("set_recording"), x.call_sid, x.url, x.duration_s, x.live);
}
template <class F> auto inspect(F& f, finalize_call& x) {
  return f(caf::meta::type_name("finalize_call"), x.call, x.job, x.push_url, x.push_body, x.once);
}
template <class F> auto inspect(F& f, load_call& x) {
  return f(caf::meta::type_name("load_call"), x.call_sid);
}
template <class F> auto inspect(F& f, stored_call& x) {
  return f(caf::meta::type_name("stored_call"), x.found, x.call, x.turns, x.draft);
}
template <class F> auto inspect(F& f, save_booking_draft& x) {
  return f(caf::meta::type_name("save_booking_draft"), x.call_sid, x.booking);
}
template <class F> auto inspect(F& f, set_recording_file& x) {
  return f(caf::meta::type_name("set_recording_file"), x.call_sid, x.path);
}
template <class F> auto inspect(F& f, sweep_recordings& x) {
  return f(caf::meta::type_name("sweep_recordings"), x.retention_days);
}
template <class F> auto inspect(F& f, set_call_status& x) {
  return f(caf::meta::type_name("set_call_status"), x.call_sid, x.status, x.answered_at_ms,
           x.resumes);
}
template <class F> auto inspect(F& f, open_calls& x) {
  return f(caf::meta::type_name("open_calls"), x.node_id);
}
template <class F> auto inspect(F& f, lost_call& x) {
  return f(caf::meta::type_name("lost_call"), x.call, x.tenant);
}
template <class F> auto inspect(F& f, jobs_on_day& x) {
  return f(caf::meta::type_name("jobs_on_day"), x.tenant_number, x.date);
}
template <class F> auto inspect(F& f, report_query& x) {
  return f(caf::meta::type_name("report_query"), x.tenant_number, x.weekly);
}
template <class F> auto inspect(F& f, variants_query& x) {
  return f(caf::meta::type_name("variants_query"), x.tenant_number);
}
template <class F> auto inspect(F& f, variants_overview& x) {
  return f(caf::meta::type_name("variants_overview"), x.live, x.outcomes);
}
template <class F> auto inspect(F& f, tenants_query&) {
  return f(caf::meta::type_name("tenants_query"));
}
template <class F> auto inspect(F& f, due_notifications& x) {
  return f(caf::meta::type_name("due_notifications"), x.now_ms, x.limit);
}
template <class F> auto inspect(F& f, notification_delivered& x) {
  return f(caf::meta::type_name("notification_delivered"), x.id);
}
template <class F> auto inspect(F& f, notification_failed& x) {
  return f(caf::meta::type_name("notification_failed"), x.id, x.attempts, x.next_attempt_at_ms,
           x.error, x.give_up);
}
template <class F> auto inspect(F& f, delivery_outcome& x) {
  return f(caf::meta::type_name("delivery_outcome"), x.entry, x.status, x.error);
}
template <class F> auto inspect(F& f, finalize_request& x) {
  return f(caf::meta::type_name("finalize_request"), x.call, x.tenant, x.booking, x.analysis,
           x.analysis_asked);
}
template <class F> auto inspect(F& f, recover_call& x) {
  return f(caf::meta::type_name("recover_call"), x.call, x.tenant, x.booking);
}
template <class F> auto inspect(F& f, actor_report& x) {
  return f(caf::meta::type_name("actor_report"), x.call_sid, x.name, x.actor_id, x.state,
           x.messages_in, x.messages_out, x.mailbox);
}
template <class F> auto inspect(F& f, child_health& x) {
  return f(caf::meta::type_name("child_health"), x.name, x.restarts, x.last_error);
}
template <class F> auto inspect(F& f, call_report& x) {
  return f(caf::meta::type_name("call_report"), x.call, x.tenant_name, x.phase, x.turns, x.booking,
           x.children, x.job_id);
}
template <class F> auto inspect(F& f, call_line& x) {
  return f(caf::meta::type_name("call_line"), x.call_sid, x.kind, x.text, x.latency_ms, x.at_ms,
           x.item_id, x.unheard);
}
template <class F> auto inspect(F& f, feed_unsubscribe& x) {
  return f(caf::meta::type_name("feed_unsubscribe"), x.conn);
}
template <class F> auto inspect(F& f, operator_hangup& x) {
  return f(caf::meta::type_name("operator_hangup"), x.call_sid);
}

// -- errors -----------------------------------------------------------------------------------

/// The category under which call_error is registered with CAF (app/server.cpp).
inline constexpr caf::atom_value call_error_category = caf::atom("call");

/// A call_error as a caf::error, with a detail text.
caf::error make_error(call_error code, std::string detail);

/// The detail text of an error made by make_error (empty for others).
std::string error_detail(const caf::error& e);

/// One line for logs and the console: "twilio_socket_lost: closed without
/// stop" for a call_error, CAF's rendering for others.
std::string describe(const caf::error& e);

} // namespace sb::actors

namespace sb::relay {
template <class F> auto inspect(F& f, first_audio_sent& x) {
  return f(caf::meta::type_name("first_audio_sent"), x.item_id, x.received_us, x.sent_us);
}
template <class F> auto inspect(F& f, barge_in_cut& x) {
  return f(caf::meta::type_name("barge_in_cut"), x.cleared, x.item_id, x.heard_ms, x.sent_ms);
}
} // namespace sb::relay

// Live handles: a socket or an HTTP responder cannot be serialized, and never
// needs to be (messages stay in the process).
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::actors::openai_connected)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::actors::inbound_call)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::actors::stream_arrived)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::actors::feed_subscribe)
