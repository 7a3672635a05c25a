#pragma once
// The WebSocket session behind ws_connection, for both sides and both stream
// types (tcp::socket, tls_stream). One strand per connection, do_x/on_x
// pairs, one write in flight with a queue (docs/STYLE.md 6). The framing is
// our own (ws_frame.hpp): every frame one read brings is handled in one
// pass, and every frame queued leaves in one gather write. Members are
// compiled once in ws_session.cpp (explicit instantiation). Internal to net/.

#include "net/detail/live_connections.hpp"
#include "net/detail/tls_stream.hpp"
#include "net/detail/ws_frame.hpp"
#include "net/detail/ws_handshake.hpp"
#include "net/ws_connection.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <vector>

namespace sb::net::detail {

using tcp_socket = boost::asio::ip::tcp::socket;

template <class Stream>
class ws_session final : public ws_connection,
                         public endable,
                         public std::enable_shared_from_this<ws_session<Stream>> {
public:
  /// `strand` is the connection's strand; `token` is held until the
  /// connection is over (the server's open-connection count).
  ws_session(boost::asio::any_io_executor strand, ws_limits limits, std::string remote,
             std::shared_ptr<void> token = nullptr);
  ~ws_session() override;

  /// Server side: completes the upgrade `req` on `stream` (101, or 400/426
  /// for a request that is not a valid upgrade), then reads.
  void accept(Stream&& stream, beast_request&& req);

  /// Client side: takes over a stream whose handshake is done; `received`
  /// holds what the server sent after its 101 (its first frames).
  void adopt(Stream&& stream, std::string received);

  // -- ws_connection --
  void send_text(std::string frame) override;
  void close() override;
  void abort() override;
  void set_handlers(ws_handlers handlers) override;
  void resume_reading() override;
  std::size_t queued_bytes() const override { return queued_bytes_.load(); }
  std::string remote_endpoint() const override { return remote_; }

  // -- endable (live_connections.hpp) --
  void end_gracefully() override { close(); }
  void end_now() override { abort(); }

private:
  using error_code = boost::system::error_code;
  /// A control frame waiting to be written (pong, ping, close).
  struct control_frame {
    ws_opcode op;
    std::string payload;
  };

  void start(); ///< open: read, write and keep alive
  void on_accept(error_code ec, std::size_t n);
  void do_read();
  void on_read(error_code ec, std::size_t n);
  void on_readable(error_code ec); ///< a plain socket has bytes (do_read())
  void read_failed(error_code ec);
  /// Handles the complete frames in [data, data + size) until paused or
  /// closed; returns the bytes they took.
  std::size_t parse(char* data, std::size_t size);
  /// parse() on what rbuf_ holds, keeping the rest at its front.
  void parse_held();
  void handle(ws_event& ev);
  /// Sends a close frame with `code` and ends with `reason` once written
  /// (or after close_grace).
  void close_with(std::uint16_t code, std::string reason);
  void arm_keepalive();
  void on_keepalive_tick(error_code ec);
  /// Moves the frames of send_text (and a close) into the write queue, in
  /// call order; runs on the strand.
  void drain();
  void do_write();
  void write_some();
  void on_write(error_code ec, std::size_t n);
  /// After the closing handshake (or our close for an error): end the
  /// stream (TLS close_notify, TCP close in the order RFC 6455 asks), then
  /// finish(reason).
  void teardown(std::string reason);
  void fail(error_code ec, const char* what);
  /// The connection is over: on_close exactly once, socket closed.
  void finish(const std::string& reason);

  boost::asio::any_io_executor strand_;
  ws_limits limits_;
  std::string remote_;
  std::shared_ptr<void> token_;
  bool server_ = true;
  std::optional<Stream> stream_;
  ws_reader reader_;
  std::string handshake_out_; ///< our 101 (or refusal), kept alive while written
  std::string refusal_;       ///< set: the upgrade was refused, finish with this once written
  boost::asio::steady_timer close_timer_; ///< the handshake's bound, then the close's
  boost::asio::steady_timer keepalive_timer_;
  std::chrono::steady_clock::time_point last_received_; ///< bytes last read (or opened)
  std::chrono::steady_clock::time_point ping_sent_at_;
  bool ping_outstanding_ = false; ///< we pinged and heard nothing since
  /// Unparsed bytes (its first held_): a frame not yet complete, or frames
  /// read while paused. A TLS stream also reads into it.
  std::vector<char> rbuf_;
  std::size_t held_ = 0;
  ws_handlers handlers_;
  std::mutex pending_mutex_;
  std::deque<std::string> pending_; ///< sent, not yet drained (guarded)
  /// drain()'s side of the swap with pending_ (strand only): both deques
  /// keep their storage, so a send allocates no deque of its own.
  std::deque<std::string> draining_;
  bool pending_closed_ = false;       ///< close() called (guarded)
  std::deque<std::string> queue_;     ///< strand only
  std::deque<control_frame> control_; ///< go before queue_'s frames
  std::atomic<std::size_t> queued_bytes_{0};
  // The write in flight: its headers, its gather list, how many of queue_'s
  // frames it carries and the control frames it holds.
  std::vector<std::array<unsigned char, ws_max_header>> headers_;
  std::vector<boost::asio::const_buffer> gather_;
  std::size_t batch_frames_ = 0;
  std::vector<control_frame> batch_control_;
  bool open_ = false; ///< handshake done, not finished
  bool finished_ = false;
  bool reading_ = false;
  bool paused_ = false;
  bool writing_ = false;
  bool close_requested_ = false; ///< close() asked: a close frame after the queue
  bool close_sent_ = false;
  bool close_received_ = false;
  bool tearing_down_ = false;
  bool read_failed_ = false; ///< a protocol error: our close frame is on its way
  /// Set once our close frame is queued: the reason to finish with once it
  /// is written (empty: a normal close, wait for the peer's).
  std::optional<std::string> end_after_close_;
  std::size_t binary_ignored_ = 0; ///< binary frames read and dropped (strand only)
};

extern template class ws_session<tcp_socket>;
extern template class ws_session<tls_stream>;

} // namespace sb::net::detail
