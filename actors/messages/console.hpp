#pragma once
// Messages of the introspection actor and the operator console: actor and
// call reports, the live feed, operator hang-ups.
// Part of actors/messages.hpp (include that one); docs/STYLE.md 3.

#include "actors/inspect_records.hpp"
#include "common/call_types.hpp"
#include "net/ws_connection.hpp"

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/meta/type_name.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace sb::actors {

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

// -- inspect: these payloads ------------------------------------------------------------

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

} // namespace sb::actors

// Live handles: a socket or an HTTP responder cannot be serialized, and never
// needs to be (messages stay in the process).
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::actors::feed_subscribe)
