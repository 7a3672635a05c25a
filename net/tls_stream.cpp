// tls_stream: OpenSSL driven through a BIO of our own (see the header for
// why). Every operation runs on the connection's executor; the state is
// shared with the operations in flight, so a socket completion never finds
// it gone. Handlers are owned by the socket operations in flight (or by the
// write in flight, for what waits behind it), never by the state: a
// handler owns its connection, which owns the state, so a handler held by
// the state would keep itself alive if the io_context were destroyed with
// the operation pending.
#include "net/detail/tls_state.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/websocket/teardown.hpp>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <climits>
#include <stdexcept>
#include <vector>

namespace sb::net::detail {

namespace asio = boost::asio;
using boost::system::error_code;
using tcp = asio::ip::tcp;
using io_handler = tls_stream::io_handler;
using done_handler = tls_stream::done_handler;

namespace {

/// The largest plaintext of one TLS record (RFC 8446 5.1).
constexpr std::size_t max_record_plaintext = 16384;

using state_ptr = std::shared_ptr<tls_stream::state>;

/// SSL_get_error for a call that returned `result`; SSL_ERROR_NONE when
/// it succeeded.
int error_of(const tls_stream::state& s, int result, bool ok) {
  return ok ? SSL_ERROR_NONE : SSL_get_error(s.ssl, result);
}

template <class Handler, class... Args>
void complete(tls_stream::state& s, Handler handler, bool initiating, Args... args) {
  auto io_ex = s.socket.get_executor();
  auto call = [h = std::move(handler), io_ex, args...]() mutable {
    auto ex = asio::get_associated_executor(h, io_ex);
    asio::dispatch(ex, [h = std::move(h), args...]() mutable { std::move(h)(args...); });
  };
  if (initiating) // never from inside the initiating call (Asio's rule)
    asio::post(io_ex, std::move(call));
  else
    call();
}

} // namespace

// -- writing -------------------------------------------------------------------

/// What waits for bytes to reach the socket: a write (completes with its
/// plaintext size) and/or a shutdown (goes on to the TCP teardown).
/// Not assigned, only moved into place: Boost 1.81's
/// any_completion_handler::operator=(&&) copies its argument as an lvalue,
/// which picks the converting constructor and recurses until the stack ends.
struct flush_waiter {
  io_handler write;
  std::size_t n = 0;
  done_handler shutdown;

  bool empty() const { return !write && !shutdown; }
};

namespace {

void start_teardown(const state_ptr& s, done_handler handler) {
  // A server sends its FIN first; a client waits for the server's (RFC
  // 6455 7.1.1), as Beast's teardown of a plain socket does.
  auto& socket = s->socket;
  boost::beast::websocket::async_teardown(s->role, socket,
                                          [s, h = std::move(handler)](error_code ec) mutable {
                                            complete(*s, std::move(h), false, ec);
                                          });
}

/// `w`'s bytes were sent (or `ec` says they will not be).
void finish(const state_ptr& s, flush_waiter w, error_code ec, bool initiating) {
  if (w.write)
    complete(*s, std::move(w.write), initiating, ec, ec ? std::size_t{0} : w.n);
  if (w.shutdown) {
    if (ec)
      complete(*s, std::move(w.shutdown), initiating, ec);
    else
      start_teardown(s, std::move(w.shutdown));
  }
}

/// Hands `out` to the socket; `w` waits for it. Only when no write is in
/// flight: otherwise the bytes go with the next one (see wait_for_flush).
void flush(const state_ptr& s, flush_waiter w, bool initiating) {
  if (s->write_error || s->out.empty())
    return finish(s, std::move(w), s->write_error, initiating);
  s->writing = true;
  s->sending.swap(s->out);
  auto next = std::make_shared<flush_waiter>();
  s->next_waiter = next;
  asio::async_write(s->socket, asio::buffer(s->sending),
                    [s, next, w = std::move(w)](error_code ec, std::size_t) mutable {
                      s->writing = false;
                      s->sending.clear();
                      release_if_large(s->sending);
                      if (ec && !s->write_error)
                        s->write_error = ec;
                      flush_waiter queued = std::move(*next);
                      if (!s->out.empty() || !queued.empty())
                        flush(s, std::move(queued), false);
                      finish(s, std::move(w), s->write_error, false);
                    });
}

/// Sends what OpenSSL just produced, or lets `w` wait behind the write in
/// flight (the bytes are in `out`, which that write's completion sends).
void wait_for_flush(const state_ptr& s, flush_waiter w, bool initiating) {
  if (!s->writing)
    return flush(s, std::move(w), initiating);
  if (w.empty())
    return;
  auto next = s->next_waiter.lock(); // alive while the write is in flight
  if (w.write) {
    next->write.swap(w.write);
    next->n = w.n;
  }
  if (w.shutdown)
    next->shutdown.swap(w.shutdown);
}

// -- reading: the handshake and application data -----------------------------------

struct handshake_op {
  state_ptr s;
  done_handler handler;
};

struct read_op {
  state_ptr s;
  asio::mutable_buffer buffer;
  io_handler handler;
};

/// Waits until the socket has bytes (or EOF), reads them, then runs `step`.
template <class Op> void wait_readable(Op op, void (*step)(Op, error_code, bool)) {
  auto& socket = op.s->socket;
  socket.async_wait(tcp::socket::wait_read, [op = std::move(op), step](error_code ec) mutable {
    if (!ec)
      ec = receive(*op.s);
    if (ec == asio::error::would_block)
      return wait_readable(std::move(op), step);
    step(std::move(op), ec, false);
  });
}

void handshake_step(handshake_op op, error_code ec, bool initiating) {
  const state_ptr s = op.s;
  if (ec)
    return complete(*s, std::move(op.handler), initiating, ec);
  ERR_clear_error();
  int r = SSL_do_handshake(s->ssl);
  int err = error_of(*s, r, r == 1);
  bool want_read = err == SSL_ERROR_WANT_READ && !s->peer_eof;
  if (err != SSL_ERROR_NONE && !want_read)
    ec = ssl_error(*s, err);
  keep_unconsumed(*s);
  wait_for_flush(s, {}, initiating);
  if (want_read)
    return wait_readable(std::move(op), handshake_step);
  complete(*s, std::move(op.handler), initiating, ec);
}

void read_step(read_op op, error_code ec, bool initiating) {
  const state_ptr s = op.s;
  if (ec)
    return complete(*s, std::move(op.handler), initiating, ec, std::size_t{0});
  ERR_clear_error();
  auto len = static_cast<int>(std::min<std::size_t>(op.buffer.size(), INT_MAX));
  int r = SSL_read(s->ssl, op.buffer.data(), len);
  int err = error_of(*s, r, r > 0);
  bool want_read = err == SSL_ERROR_WANT_READ && !s->peer_eof;
  if (err != SSL_ERROR_NONE && !want_read)
    ec = ssl_error(*s, err);
  keep_unconsumed(*s);
  wait_for_flush(s, {}, initiating); // a read may owe the peer a reply (KeyUpdate, alerts)
  if (want_read)
    return wait_readable(std::move(op), read_step);
  complete(*s, std::move(op.handler), initiating, ec,
           r > 0 ? static_cast<std::size_t>(r) : std::size_t{0});
}

} // namespace

// -- tls_stream --------------------------------------------------------------------

namespace {

/// A new SSL object for `s`, talking through the BIO above.
SSL* make_ssl(asio::ssl::context& ctx, tls_stream::state* s) {
  SSL* ssl = SSL_new(ctx.native_handle());
  BIO* bio = ssl ? BIO_new(tls_bio_method()) : nullptr;
  if (!ssl || !bio) {
    SSL_free(ssl);
    throw std::runtime_error("tls: cannot create a connection (out of memory)");
  }
  BIO_set_data(bio, s);
  SSL_set_bio(ssl, bio, bio); // one reference, owned by the SSL object
  // Record buffers are freed while the connection waits; renegotiation (TLS
  // 1.2 only) is refused, so a write never has to wait for a read.
  SSL_set_mode(ssl, SSL_MODE_RELEASE_BUFFERS);
  SSL_set_options(ssl, SSL_OP_NO_RENEGOTIATION);
  return ssl;
}

} // namespace

tls_stream::tls_stream(next_layer_type&& socket, asio::ssl::context& ctx)
    : state_(std::make_shared<state>(std::move(socket))) {
  state_->ssl = make_ssl(ctx, state_.get());
}

tls_stream::~tls_stream() {
  if (state_) {
    error_code ignored; // ends the operations in flight; they hold the state
    state_->socket.close(ignored);
  }
}

tls_stream::executor_type tls_stream::get_executor() noexcept {
  return state_->socket.get_executor();
}

tls_stream::next_layer_type& tls_stream::next_layer() noexcept {
  return state_->socket;
}

SSL* tls_stream::native_handle() noexcept {
  return state_->ssl;
}

asio::mutable_buffer tls_stream::write_scratch() {
  static thread_local std::vector<unsigned char> buffer;
  return asio::buffer(thread_buffer(buffer, max_record_plaintext), max_record_plaintext);
}

void tls_stream::start_handshake(asio::ssl::stream_base::handshake_type type,
                                 done_handler handler) {
  if (type == asio::ssl::stream_base::client) {
    SSL_set_connect_state(state_->ssl);
    state_->role = boost::beast::role_type::client;
  } else {
    SSL_set_accept_state(state_->ssl);
    state_->role = boost::beast::role_type::server;
  }
  handshake_step({state_, std::move(handler)}, {}, true);
}

void tls_stream::start_read(asio::mutable_buffer buffer, io_handler handler) {
  if (buffer.size() == 0)
    return complete(*state_, std::move(handler), true, error_code{}, std::size_t{0});
  read_step({state_, buffer, std::move(handler)}, {}, true);
}

void tls_stream::start_write(std::size_t n, io_handler handler) {
  const state_ptr& s = state_;
  if (s->write_error)
    return complete(*s, std::move(handler), true, s->write_error, std::size_t{0});
  if (n == 0)
    return complete(*s, std::move(handler), true, error_code{}, std::size_t{0});
  ERR_clear_error();
  int r = SSL_write(s->ssl, write_scratch().data(), static_cast<int>(n));
  if (r <= 0)
    return complete(*s, std::move(handler), true, ssl_error(*s, error_of(*s, r, false)),
                    std::size_t{0});
  flush_waiter w;
  w.write.swap(handler);
  w.n = static_cast<std::size_t>(r);
  wait_for_flush(s, std::move(w), true);
}

void tls_stream::start_shutdown(done_handler handler) {
  const state_ptr& s = state_;
  ERR_clear_error();
  SSL_shutdown(s->ssl); // queues close_notify; the peer's is not awaited
  ERR_clear_error();
  flush_waiter w;
  w.shutdown.swap(handler);
  wait_for_flush(s, std::move(w), true);
}

void teardown(boost::beast::role_type, tls_stream& stream, error_code& ec) {
  // Only Beast's synchronous close calls this, and Switchboard closes
  // asynchronously: the TCP connection is simply shut, without close_notify.
  stream.next_layer().shutdown(tcp::socket::shutdown_both, ec);
  error_code ignored;
  stream.next_layer().close(ignored);
}

} // namespace sb::net::detail
