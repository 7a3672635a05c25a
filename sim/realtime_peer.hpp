#pragma once
// A stand-in for the OpenAI Realtime API that speaks the GA wire protocol
// over a real WebSocket (plain or TLS). It validates session.update like the
// real service, runs an energy VAD on the received mu-law audio, answers each
// utterance from the caller's script with real speech audio, makes scripted
// function calls, and honours response.cancel and conversation.item.truncate
// with the documented errors. Faults can be injected (drop mid-call, refuse).

#include "common/result.hpp"
#include "protocol/realtime.hpp"
#include "sim/clips.hpp"
#include "sim/script.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace sb::sim {

struct peer_options {
  std::string bind_address = "127.0.0.1";
  uint16_t port = 0;        ///< 0: ephemeral
  std::string tls_cert_pem; ///< with tls_key_pem: wss://
  std::string tls_key_pem;
  clip_library clips;
  std::vector<call_script> scripts; ///< picked by caller number in the instructions; else the first
  /// Drop every connection abruptly (no close frame) right after its Nth
  /// response.done (-1: never). Only the first connection of a caller is
  /// dropped, so the bridge's reconnect can finish the call.
  int drop_after_responses = -1;
  /// With drop_after_responses: reset the TCP connection (RST) rather than
  /// closing it (net's ws_connection::abort()), as a network fault does.
  bool drop_with_reset = false;
  /// Go silent on a caller's first connection right after its Nth
  /// response.done (-1: never): the connection stays open, but nothing more
  /// is sent and nothing more is read, so our pings go unanswered too (Beast
  /// answers a ping only while a read is pending). The peer's own idle
  /// timeout is off then, so only the client can end that connection. The
  /// fault the bridge's silence watchdog (openai.silence_ms) is for.
  int silent_after_responses = -1;
  /// Go deaf on a caller's first connection right after its Nth
  /// response.done (-1: never): the connection stays open and keeps reading
  /// (so pings are answered), but every client event is ignored and nothing
  /// more is sent. The fault the bridge's answer watchdog is for (a
  /// response.create with no event back within openai.silence_ms).
  int deaf_after_responses = -1;
  /// Hold each connection's first session.updated (and what follows it) for
  /// this long plus 0..session_updated_jitter_ms (fixed per connection):
  /// the caller streams meanwhile, so the bridge must hold its audio and then
  /// send it ahead of the live frames (issue 15.1).
  int session_updated_delay_ms = 0;
  int session_updated_jitter_ms = 0;
  /// Answer every upgrade with HTTP 503 (OpenAI unreachable).
  bool refuse_connections = false;
  /// Right after each session.updated, send a frame that is not JSON, an
  /// event of an unknown type and an `error` event (a robustness test of the
  /// client).
  bool send_garbage_after_session = false;
  /// How many not-JSON frames that sends (a flood, for the client's log).
  int garbage_frames = 1;
  /// Every response.done reports this usage instead of counts made up from
  /// the audio and text (a test of what the bridge does with it). Input
  /// counts include the cached ones, as the service reports them.
  std::optional<proto::token_usage> fixed_usage;
  /// The post-call analysis (an out-of-band text response.create,
  /// `conversation: "none"`): answered with JSON (answer), answered with
  /// response.done status "failed" (fail), or never answered (ignore).
  enum class analysis_reply { answer, fail, ignore };
  analysis_reply analysis = analysis_reply::answer;
  /// Audio sent per output_audio.delta, in ms (real service: ~100-200 ms bursts).
  int delta_ms = 100;
  /// Pause between deltas (real service streams faster than real time).
  int delta_interval_ms = 20;

  // -- load-benchmark hooks (bench/) --
  /// Keep every client event for client_events() (off under load: it grows
  /// by every input_audio_buffer.append).
  bool record_client_events = true;
  /// Audio per connection: `caller_number` is the script's (empty before
  /// session.update picks one), `connection` numbers connections from 1,
  /// `offset` counts this connection's audio bytes before `bytes`, `mono_us`
  /// is common/time.hpp's clock. Called on the io thread; keep them cheap.
  using audio_hook = std::function<void(const std::string& caller_number, int connection,
                                        int64_t offset, std::string_view bytes, int64_t mono_us)>;
  audio_hook on_audio_received; ///< input_audio_buffer.append decoded
  audio_hook on_audio_sent;     ///< response.output_audio.delta about to go out
};

struct peer_stats {
  int connections = 0;
  int sessions_configured = 0; ///< valid session.update received
  int responses = 0;           ///< response.done sent
  int cancels = 0;             ///< response.cancel received
  int truncates = 0;           ///< conversation.item.truncate accepted
  int errors_sent = 0;
  int64_t audio_bytes_received = 0;
  int64_t audio_bytes_sent = 0;
  std::vector<int64_t> truncate_audio_end_ms; ///< as received
  /// The same, per connection's script (caller number; "" before session.update picks one).
  std::map<std::string, std::vector<int64_t>> truncates_by_caller;
  std::map<std::string, int> errors_by_code; ///< error events sent, by error.code
  /// Connections the client closed (not the peer), by their script's caller
  /// number ("" before session.update picked one).
  std::map<std::string, int> closed_by_client;
  /// audio_bytes_received and audio_bytes_sent by caller number, the same way.
  std::map<std::string, int64_t> audio_received_by_caller;
  std::map<std::string, int64_t> audio_sent_by_caller;
  // -- per connection (numbered from 1), for session recycling --
  std::map<int, std::string> caller_by_connection; ///< once session.update picked a script
  std::map<int, int64_t> audio_received_by_connection;
  /// "role: text" of each message item the client created (a replayed conversation).
  std::map<int, std::vector<std::string>> items_created_by_connection;
  /// Connections the client closed while a response was active or the caller
  /// was mid-utterance (VAD in speech): not between turns.
  std::vector<int> closed_mid_turn;
};

class realtime_peer {
public:
  static result<std::shared_ptr<realtime_peer>> start(boost::asio::io_context& io,
                                                      peer_options options);
  virtual ~realtime_peer() = default;

  /// "ws://127.0.0.1:PORT/v1/realtime?model=gpt-realtime" (wss:// with TLS).
  virtual std::string url() const = 0;
  virtual uint16_t port() const = 0;
  virtual peer_stats stats() const = 0; ///< thread-safe snapshot
  virtual std::vector<std::string>
  client_events() const = 0; ///< every JSON text received, in order (for schema checks)
  virtual void stop() = 0;
};

} // namespace sb::sim
