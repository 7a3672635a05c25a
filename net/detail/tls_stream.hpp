#pragma once
// A TLS stream over a TCP socket, for every TLS connection Switchboard
// makes or takes: its clients' (the OpenAI leg's WebSocket and https
// requests, both connected by client_connect) and the HTTP server with its
// Media Stream WebSockets when [server] tls is on. Internal to net/.
//
// Why not asio::ssl::stream: it holds fixed buffers on every connection
// whatever the traffic, two 17 KiB records in its stream_core plus a BIO
// pair of 2 x 17 KiB (boost/asio/ssl/detail/stream_core.hpp, engine.ipp),
// ~68 KiB of a TLS call's RSS (bench/RESULTS.md, "RSS over TLS"). Here
// OpenSSL talks to the socket through a BIO of our own: received bytes are
// read into a per-thread buffer and handed to OpenSSL at once, and only the
// part of a record not yet complete is kept on the connection; encrypted
// output is kept only until the socket has taken it. With
// SSL_MODE_RELEASE_BUFFERS, OpenSSL's own record buffers are freed while a
// connection waits, so an idle connection holds its SSL object and little
// else.
//
// The operations are those of asio::ssl::stream that Switchboard uses:
// async_handshake, async_read_some, async_write_some (one of each in flight
// at a time, as Beast guarantees), async_shutdown, and async_teardown for
// Beast's WebSocket close. Handlers are type-erased so the state machine is
// compiled once, in tls_stream.cpp.

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/beast/core/role.hpp>

#include <memory>

namespace sb::net::detail {

class tls_stream {
public:
  using executor_type = boost::asio::any_io_executor;
  using next_layer_type = boost::asio::ip::tcp::socket;
  using error_code = boost::system::error_code;
  using io_handler = boost::asio::any_completion_handler<void(error_code, std::size_t)>;
  using done_handler = boost::asio::any_completion_handler<void(error_code)>;

  /// A connection with the settings of `ctx` (the SSL object holds its own
  /// reference to the SSL_CTX) over `socket`.
  tls_stream(next_layer_type&& socket, boost::asio::ssl::context& ctx);
  tls_stream(tls_stream&&) noexcept = default;
  tls_stream& operator=(tls_stream&&) noexcept = default;
  ~tls_stream();

  executor_type get_executor() noexcept;
  next_layer_type& next_layer() noexcept;
  SSL* native_handle() noexcept;

  /// The handshake as `type` (client or server); a client checks the
  /// peer's certificate as the context and configure_client_tls() say.
  template <class Token>
  auto async_handshake(boost::asio::ssl::stream_base::handshake_type type, Token&& token) {
    return boost::asio::async_initiate<Token, void(error_code)>(
        [this, type](auto handler) { start_handshake(type, done_handler(std::move(handler))); },
        token);
  }

  /// Reads decrypted bytes into the first non-empty buffer of `buffers`.
  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    boost::asio::mutable_buffer first;
    for (auto it = boost::asio::buffer_sequence_begin(buffers);
         it != boost::asio::buffer_sequence_end(buffers) && first.size() == 0; ++it)
      first = *it;
    return boost::asio::async_initiate<Token, void(error_code, std::size_t)>(
        [this](auto handler, boost::asio::mutable_buffer b) {
          start_read(b, io_handler(std::move(handler)));
        },
        token, first);
  }

  /// Encrypts up to one TLS record (16 KiB) of `buffers` as one record and
  /// completes when the socket has taken it.
  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(error_code, std::size_t)>(
        [this](auto handler, const ConstBuffers& b) {
          std::size_t n = boost::asio::buffer_copy(write_scratch(), b);
          start_write(n, io_handler(std::move(handler)));
        },
        token, buffers);
  }

  /// Sends close_notify, then tears TCP down as Beast does a plain socket
  /// for our side of the handshake (a server sends FIN and reads until the
  /// peer's; a client reads until the server's FIN, then sends its own).
  /// The peer's close_notify is not awaited: most clients just close.
  template <class Token> auto async_shutdown(Token&& token) {
    return boost::asio::async_initiate<Token, void(error_code)>(
        [this](auto handler) { start_shutdown(done_handler(std::move(handler))); }, token);
  }
  void start_shutdown(done_handler handler);

  struct state; ///< defined in net/detail/tls_state.hpp

private:
  void start_handshake(boost::asio::ssl::stream_base::handshake_type type, done_handler handler);
  void start_read(boost::asio::mutable_buffer buffer, io_handler handler);
  /// Encrypts the first `n` bytes of write_scratch().
  void start_write(std::size_t n, io_handler handler);
  /// This thread's plaintext staging buffer, one TLS record long.
  static boost::asio::mutable_buffer write_scratch();

  std::shared_ptr<state> state_; ///< shared with operations in flight
};

/// Beast's WebSocket close finds these by argument-dependent lookup.
void teardown(boost::beast::role_type role, tls_stream& stream, boost::system::error_code& ec);

template <class Handler>
void async_teardown(boost::beast::role_type, tls_stream& stream, Handler&& handler) {
  stream.start_shutdown(tls_stream::done_handler(std::forward<Handler>(handler)));
}

} // namespace sb::net::detail
