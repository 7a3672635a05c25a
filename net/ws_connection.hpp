#pragma once
// A WebSocket connection, server or client side, seen from outside net/.
// No Beast and no CAF here: actors drive a connection through this interface
// and receive frames through ws_handlers (docs/STYLE.md 7, 14).

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace sb::net {

struct ws_handlers {
  /// A complete text frame, called on the connection's strand, in order.
  /// Return false to pause reading until resume_reading() (backpressure, or
  /// while the frame's owner is being set up).
  std::function<bool(std::string&& frame)> on_text;
  /// Called once when the connection is over. `reason` is empty for a normal
  /// close (close frame, websocket::error::closed, ssl stream_truncated), else
  /// one line: "read: ...", "frame too large", "idle timeout", "slow peer",
  /// "close timeout" (our close frame went unanswered for 2 s).
  std::function<void(const std::string& reason)> on_close;
  /// Optional: sees every text frame, received (before on_text, `sent`
  /// false) and sent (when queued, `sent` true), on the strand, so in wire
  /// order. The debug switches' event log (actors/wire_tap.hpp); empty, it
  /// costs one test per frame.
  std::function<void(bool sent, std::string_view frame)> on_wire = {};
};

class ws_connection {
public:
  virtual ~ws_connection() = default;

  /// Queues a text frame; thread-safe. One write is in flight at a time. If
  /// more than max_queued_bytes() wait, the peer is too slow: the connection
  /// is closed with reason "slow peer" rather than buffering without bound.
  virtual void send_text(std::string frame) = 0;

  /// Sends a close frame after the queued frames; thread-safe, idempotent.
  virtual void close() = 0;

  /// Resets the TCP connection: SO_LINGER {on, 0} then close, so the kernel
  /// sends RST instead of FIN and nothing queued is written; thread-safe,
  /// idempotent. The stand-ins use it to fake a network fault (issue 14.5);
  /// on_close runs with reason "aborted".
  virtual void abort() = 0;

  /// Replaces the handlers; thread-safe (takes effect on the strand, before
  /// the next frame is delivered).
  virtual void set_handlers(ws_handlers handlers) = 0;

  /// Resumes reading after on_text returned false; thread-safe.
  virtual void resume_reading() = 0;

  /// Bytes waiting to be written.
  virtual std::size_t queued_bytes() const = 0;

  /// "127.0.0.1:54321" of the peer.
  virtual std::string remote_endpoint() const = 0;
};

using ws_connection_ptr = std::shared_ptr<ws_connection>;

/// Limits shared by both sides.
struct ws_limits {
  std::size_t max_frame_bytes = 64 * 1024; ///< larger frames close with 1009
  std::size_t max_queued_bytes = 4 * 1024 * 1024;
  int idle_timeout_ms = 30'000; ///< no frame and no pong for this long: "idle timeout"
};

} // namespace sb::net
