#pragma once
// The WebSocket session behind ws_connection, for both sides and both stream
// types (tcp::socket, tls_stream). One strand per connection, do_x/on_x
// pairs, one write in flight with a queue (docs/STYLE.md 6). Members are compiled
// once in ws_session.cpp (explicit instantiation) so that only that TU pays
// for Beast's WebSocket read/write templates. Internal to net/.

#include "net/detail/live_connections.hpp"
#include "net/detail/tls_stream.hpp"
#include "net/ws_connection.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <atomic>
#include <deque>
#include <mutex>
#include <optional>

namespace sb::net::detail {

using tcp_socket = boost::asio::ip::tcp::socket;
using beast_request = boost::beast::http::request<boost::beast::http::string_body>;

template <class Stream>
class ws_session final : public ws_connection,
                         public endable,
                         public std::enable_shared_from_this<ws_session<Stream>> {
public:
  using ws_stream = boost::beast::websocket::stream<Stream>;

  /// `strand` is the connection's strand; `token` is held until the
  /// connection is over (the server's open-connection count).
  ws_session(boost::asio::any_io_executor strand, ws_limits limits, std::string remote,
             std::shared_ptr<void> token = nullptr);
  ~ws_session() override;

  /// Server side: completes the upgrade `req` on `stream`, then reads.
  void accept(Stream&& stream, beast_request&& req);

  /// Client side: takes over a stream whose handshake is done, then reads.
  void adopt(ws_stream&& ws);

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
  void configure();
  void on_accept(boost::beast::error_code ec);
  void do_read();
  void on_read(boost::beast::error_code ec, std::size_t n);
  /// Moves the frames of send_text (and a close) into the write queue, in
  /// call order; runs on the strand.
  void drain();
  void do_write();
  void on_write(boost::beast::error_code ec, std::size_t n);
  /// TCP_CORK on the socket while frames that came together are written
  /// (see do_write()); off again once nothing is left to write.
  void set_cork(bool on);
  void uncork_if_idle();
  void do_close();
  void on_close_done(boost::beast::error_code ec);
  void fail(boost::beast::error_code ec, const char* what);
  /// The connection is over: on_close exactly once, socket closed.
  void finish(const std::string& reason);

  boost::asio::any_io_executor strand_;
  ws_limits limits_;
  std::string remote_;
  std::shared_ptr<void> token_;
  std::optional<ws_stream> ws_;
  beast_request upgrade_request_; ///< kept alive across async_accept
  boost::asio::steady_timer close_timer_;
  boost::beast::flat_buffer buffer_;
  ws_handlers handlers_;
  std::mutex pending_mutex_;
  std::deque<std::string> pending_; ///< sent, not yet drained (guarded)
  bool pending_closed_ = false;     ///< close() called (guarded)
  std::deque<std::string> queue_;   ///< strand only
  std::atomic<std::size_t> queued_bytes_{0};
  bool open_ = false; ///< handshake done, not finished
  bool finished_ = false;
  bool reading_ = false;
  bool paused_ = false;
  bool writing_ = false;
  bool close_requested_ = false;
  bool closing_ = false;
  bool corked_ = false;
  std::size_t corked_bytes_ = 0;   ///< written since the cork was set or last pushed
  std::size_t binary_ignored_ = 0; ///< binary frames read and dropped (strand only)
};

extern template class ws_session<tcp_socket>;
extern template class ws_session<tls_stream>;

} // namespace sb::net::detail
