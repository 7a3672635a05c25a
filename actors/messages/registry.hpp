#pragma once
// Messages to and from the call registry: calls arriving, snapshots of live
// calls, health, call-next, resume and transfer.
// Part of actors/messages.hpp (include that one); docs/STYLE.md 3.

#include "actors/inspect_records.hpp"
#include "actors/webhook_answer.hpp"
#include "common/call_types.hpp"
#include "net/ws_connection.hpp"
#include "protocol/media_stream.hpp"

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/meta/type_name.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace sb::actors {

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

// -- inspect: these payloads ------------------------------------------------------------

template <class F> auto inspect(F& f, refused_call& x) {
  return f(caf::meta::type_name("refused_call"), x.call, x.tenant, x.why);
}
template <class F> auto inspect(F& f, call_snapshot& x) {
  return f(caf::meta::type_name("call_snapshot"), x.call_sid, x.tenant_number, x.tenant_name,
           x.from, x.started_at_ms, x.phase, x.turns, x.has_booking, x.openai_connected,
           x.answered_at_ms, x.booking);
}
template <class F> auto inspect(F& f, sessions_info& x) {
  return f(caf::meta::type_name("sessions_info"), x.calls);
}
template <class F> auto inspect(F& f, health_reason& x) {
  return f(caf::meta::type_name("health_reason"), x.code, x.detail);
}
template <class F> auto inspect(F& f, health_info& x) {
  return f(caf::meta::type_name("health_info"), x.active_sessions, x.openai_connected,
           x.openai_observed_at_ms, x.reasons);
}
template <class F> auto inspect(F& f, storage_write_report& x) {
  return f(caf::meta::type_name("storage_write_report"), x.ok, x.error, x.pending);
}
template <class F> auto inspect(F& f, outbox_report& x) {
  return f(caf::meta::type_name("outbox_report"), x.backlog);
}
template <class F> auto inspect(F& f, openai_observation& x) {
  return f(caf::meta::type_name("openai_observation"), x.connected);
}
template <class F> auto inspect(F& f, recording_update& x) {
  return f(caf::meta::type_name("recording_update"), x.call_sid, x.url, x.duration_s);
}
template <class F> auto inspect(F& f, call_next& x) {
  return f(caf::meta::type_name("call_next"), x.call_sid, x.voicemail, x.why, x.resume_twiml);
}
template <class F> auto inspect(F& f, call_lost& x) {
  return f(caf::meta::type_name("call_lost"), x.call);
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

} // namespace sb::actors

// Live handles: a socket or an HTTP responder cannot be serialized, and never
// needs to be (messages stay in the process).
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::actors::inbound_call)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::actors::stream_arrived)
