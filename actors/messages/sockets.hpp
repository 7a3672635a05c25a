#pragma once
// Messages between the Twilio and OpenAI sockets and their actors: control
// frames (audio never travels in messages) and the supervisor's requests to
// the Twilio socket.
// Part of actors/messages.hpp (include that one); docs/STYLE.md 3.

#include "actors/inspect_records.hpp"
#include "net/ws_connection.hpp"
#include "protocol/media_stream.hpp"
#include "relay/media_relay.hpp"

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/meta/type_name.hpp>

#include <cstdint>
#include <string>

namespace sb::actors {

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

// -- inspect: these payloads ------------------------------------------------------------

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
