#include "net/detail/ws_session.hpp"

#include "common/log.hpp"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/stream_traits.hpp>

#include <netinet/in.h>
#include <netinet/tcp.h>

namespace sb::net::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using beast::error_code;

namespace {

/// How long a peer gets to answer our close frame before the socket is
/// simply closed (a peer that never answers must not leak the connection).
constexpr auto close_grace = std::chrono::seconds(2);
/// Upgrade handshake bound (Beast also applies it to the closing handshake).
constexpr auto handshake_timeout = std::chrono::seconds(5);

/// While corked, the bytes written before the kernel is told to send what
/// it holds (uncork and cork again): a long burst leaves in segments of
/// about this size instead of one at its very end, so its first frames are
/// not held for all of its last ones.
constexpr std::size_t cork_push_bytes = 8 * 1024;

/// TCP_CORK as an Asio socket option (its SettableSocketOption shape).
struct tcp_cork {
  int value;
  template <class P> int level(const P&) const { return IPPROTO_TCP; }
  template <class P> int name(const P&) const { return TCP_CORK; }
  template <class P> const int* data(const P&) const { return &value; }
  template <class P> std::size_t size(const P&) const { return sizeof value; }
};

} // namespace

template <class Stream>
ws_session<Stream>::ws_session(asio::any_io_executor strand, ws_limits limits, std::string remote,
                               std::shared_ptr<void> token)
    : strand_(std::move(strand)), limits_(limits), remote_(std::move(remote)),
      token_(std::move(token)), close_timer_(strand_) {}

template <class Stream> ws_session<Stream>::~ws_session() = default;

template <class Stream> void ws_session<Stream>::configure() {
  websocket::stream_base::timeout opt{};
  opt.handshake_timeout = handshake_timeout;
  opt.idle_timeout = limits_.idle_timeout_ms > 0
                         ? std::chrono::milliseconds(limits_.idle_timeout_ms)
                         : websocket::stream_base::none();
  // Beast pings after half the idle time; only a silent peer (no frame, no
  // pong) reaches the timeout. This works with any next layer: the timer is
  // the websocket stream's own (websocket/impl/stream_impl.hpp).
  opt.keep_alive_pings = true;
  ws_->set_option(opt);
  ws_->read_message_max(limits_.max_frame_bytes);
}

template <class Stream> void ws_session<Stream>::accept(Stream&& stream, beast_request&& req) {
  ws_.emplace(std::move(stream));
  configure();
  ws_->set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(beast::http::field::server, "switchboard"); }));
  upgrade_request_ = std::move(req);
  connections_of(strand_).add(this->weak_from_this());
  ws_->async_accept(upgrade_request_,
                    beast::bind_front_handler(&ws_session::on_accept, this->shared_from_this()));
}

template <class Stream> void ws_session<Stream>::on_accept(error_code ec) {
  if (ec)
    return fail(ec, "accept");
  upgrade_request_ = {};
  open_ = true;
  do_read();
  do_write();
}

template <class Stream> void ws_session<Stream>::adopt(ws_stream&& ws) {
  ws_.emplace(std::move(ws));
  configure();
  connections_of(strand_).add(this->weak_from_this());
  open_ = true;
  do_read();
  do_write();
}

// -- thread-safe entry points: everything else runs on the strand --

template <class Stream> void ws_session<Stream>::send_text(std::string frame) {
  // The frame joins `pending_` here, in the caller's thread, so that frames
  // go out in the order of the send_text calls whichever threads make them
  // (issue 15.1: held caller audio flushed from the actor thread was
  // overtaken by a live frame sent inline on the io thread).
  {
    std::lock_guard lock(pending_mutex_);
    if (pending_closed_)
      return;
    pending_.push_back(std::move(frame));
  }
  // dispatch: on the connection's own thread (one io thread, or inside its
  // strand) the write starts now; from elsewhere it is posted. Either way
  // drain() takes every pending frame in order.
  asio::dispatch(strand_, [self = this->shared_from_this()] { self->drain(); });
}

template <class Stream> void ws_session<Stream>::close() {
  {
    std::lock_guard lock(pending_mutex_);
    if (pending_closed_)
      return;
    pending_closed_ = true; // later sends are dropped; earlier ones go first
  }
  asio::post(strand_, [self = this->shared_from_this()] { self->drain(); });
}

template <class Stream> void ws_session<Stream>::abort() {
  asio::post(strand_, [self = this->shared_from_this()] {
    if (self->finished_ || !self->ws_)
      return;
    // Linger on with a zero timeout: close() discards the send buffer and
    // the kernel answers with RST (the peer reads ECONNRESET), as when a
    // NAT box or a crashed host drops the connection.
    error_code ignored;
    auto& sock = beast::get_lowest_layer(*self->ws_);
    sock.set_option(asio::socket_base::linger(true, 0), ignored);
    self->finish("aborted");
  });
}

template <class Stream> void ws_session<Stream>::set_handlers(ws_handlers handlers) {
  // dispatch: from on_upgrade (already on the strand) this runs at once, so
  // the handlers are in place before the handshake completes.
  asio::dispatch(strand_, [self = this->shared_from_this(), h = std::move(handlers)]() mutable {
    if (!self->finished_)
      self->handlers_ = std::move(h);
  });
}

template <class Stream> void ws_session<Stream>::resume_reading() {
  asio::post(strand_, [self = this->shared_from_this()] {
    self->paused_ = false;
    self->do_read();
  });
}

// -- reading --

template <class Stream> void ws_session<Stream>::do_read() {
  if (!open_ || finished_ || reading_ || paused_)
    return;
  reading_ = true;
  ws_->async_read(buffer_,
                  beast::bind_front_handler(&ws_session::on_read, this->shared_from_this()));
}

template <class Stream> void ws_session<Stream>::on_read(error_code ec, std::size_t n) {
  reading_ = false;
  if (finished_)
    return;
  if (ec)
    return fail(ec, "read");
  if (ws_->got_binary()) {
    // Twilio Media Streams and OpenAI Realtime send only text frames. One
    // line for the first, a count at the end: a peer that sends binary
    // frames must not be able to flood the log (one line per frame).
    if (binary_ignored_++ == 0)
      log::warn("Net", "ignoring binary WebSocket frames from " + remote_ +
                           " (only text frames are read; further ones are counted)");
    buffer_.consume(buffer_.size());
    return do_read();
  }
  std::string frame = beast::buffers_to_string(buffer_.data());
  buffer_.consume(buffer_.size());
  if (handlers_.on_wire)
    handlers_.on_wire(false, frame);
  bool more = handlers_.on_text ? handlers_.on_text(std::move(frame)) : true;
  if (!more)
    paused_ = true;
  do_read();
}

// -- writing and closing --

template <class Stream> void ws_session<Stream>::drain() {
  std::deque<std::string> frames;
  bool close_asked = false;
  {
    std::lock_guard lock(pending_mutex_);
    frames.swap(pending_);
    close_asked = pending_closed_;
  }
  if (finished_ || close_requested_)
    return;
  for (auto& frame : frames) {
    if (handlers_.on_wire)
      handlers_.on_wire(true, frame);
    queued_bytes_ += frame.size();
    queue_.push_back(std::move(frame));
  }
  if (queued_bytes_.load() > limits_.max_queued_bytes) {
    // Posted: drain() may run inside the sender's own handler (holding its
    // locks); on_close must not run inside its send_text.
    asio::post(strand_, [self = this->shared_from_this()] { self->finish("slow peer"); });
    return;
  }
  if (close_asked)
    close_requested_ = true; // closes once the queue is empty
  do_write();
}

template <class Stream> void ws_session<Stream>::set_cork(bool on) {
  error_code ignored; // a socket that cannot cork still writes, uncorked
  beast::get_lowest_layer(*ws_).set_option(tcp_cork{on ? 1 : 0}, ignored);
  corked_ = on;
  corked_bytes_ = 0;
}

template <class Stream> void ws_session<Stream>::uncork_if_idle() {
  if (!corked_ || finished_ || writing_ || !queue_.empty())
    return;
  {
    std::lock_guard lock(pending_mutex_);
    if (!pending_.empty())
      return; // its drain is on the way, and posts this again when written
  }
  set_cork(false);
}

template <class Stream> void ws_session<Stream>::do_write() {
  if (!open_ || finished_ || writing_)
    return;
  if (queue_.empty()) {
    if (close_requested_)
      do_close();
    return;
  }
  // Frames that come together go out together: a Twilio media frame and its
  // mark, a reply's deltas read in one burst. Beast writes one message per
  // async_write, so each would leave in a TCP segment of its own; an idle
  // connection restarts with a congestion window of 10 segments
  // (net.ipv4.tcp_slow_start_after_idle), and a burst of 40 small segments
  // then waits for the peer's ACKs, however fast we write (issue 15.2:
  // bench/RESULTS.md, "the relay's own span"). Corked, the kernel packs
  // them into full segments; uncork_if_idle() lets the last one go as soon
  // as nothing more is queued. A lone frame (an upstream append) is not
  // corked: it would cost two syscalls and gain nothing.
  if (queue_.size() >= 2 && !corked_)
    set_cork(true);
  writing_ = true;
  ws_->text(true);
  ws_->async_write(asio::buffer(queue_.front()),
                   beast::bind_front_handler(&ws_session::on_write, this->shared_from_this()));
}

template <class Stream> void ws_session<Stream>::on_write(error_code ec, std::size_t n) {
  writing_ = false;
  if (finished_)
    return;
  if (ec)
    return fail(ec, "write");
  queued_bytes_ -= queue_.front().size();
  queue_.pop_front();
  if (corked_ && (corked_bytes_ += n) >= cork_push_bytes) {
    set_cork(false);
    set_cork(true);
  }
  // Posted, not called: frames produced by handlers already queued (the
  // next delta of a burst) join the corked batch before it is let go.
  if (queue_.empty() && corked_)
    asio::post(strand_, [self = this->shared_from_this()] { self->uncork_if_idle(); });
  do_write();
}

template <class Stream> void ws_session<Stream>::do_close() {
  if (closing_)
    return;
  closing_ = true;
  if (corked_)
    set_cork(false); // the close frame goes at once
  close_timer_.expires_after(close_grace);
  close_timer_.async_wait([self = this->shared_from_this()](error_code ec) {
    if (!ec)
      self->finish("close timeout");
  });
  ws_->async_close(websocket::close_code::normal,
                   beast::bind_front_handler(&ws_session::on_close_done, this->shared_from_this()));
}

template <class Stream> void ws_session<Stream>::on_close_done(error_code ec) {
  if (ec)
    return fail(ec, "close");
  finish("");
}

template <class Stream> void ws_session<Stream>::fail(error_code ec, const char* what) {
  // A close frame (websocket::error::closed) and a TLS peer that skips
  // close_notify (ssl::error::stream_truncated, common in practice: see
  // Beast's server-flex fail()) both end a connection normally.
  if (ec == websocket::error::closed || ec == asio::ssl::error::stream_truncated)
    return finish("");
  if (ec == websocket::error::message_too_big)
    return finish("frame too large");
  if (ec == beast::error::timeout)
    return finish("idle timeout");
  finish(std::string(what) + ": " + ec.message());
}

template <class Stream> void ws_session<Stream>::finish(const std::string& reason) {
  if (finished_)
    return;
  finished_ = true;
  open_ = false;
  close_timer_.cancel();
  queue_.clear();
  queued_bytes_ = 0;
  if (ws_) {
    error_code ignored;
    beast::get_lowest_layer(*ws_).close(ignored);
  }
  if (binary_ignored_ > 1)
    log::warn("Net", "WebSocket " + remote_ + ": " + std::to_string(binary_ignored_) +
                         " binary frames ignored in all");
  if (reason.empty())
    log::debug("Net", "WebSocket " + remote_ + " closed");
  else
    log::info("Net", "WebSocket " + remote_ + " closed: " + reason);
  // Handlers usually hold the connection: drop them to break the cycle.
  auto on_close = std::move(handlers_.on_close);
  handlers_ = {};
  token_.reset();
  mark_ended();
  if (on_close)
    on_close(reason);
}

template class ws_session<tcp_socket>;
template class ws_session<tls_stream>;

} // namespace sb::net::detail
