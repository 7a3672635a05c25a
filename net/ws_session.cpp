#include "net/detail/ws_session.hpp"

#include "net/detail/ws_handshake.hpp"

#include "common/log.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/websocket/teardown.hpp>

#include <algorithm>
#include <cstring>
#include <type_traits>

namespace sb::net::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;

namespace {

/// How long a peer gets to answer our close frame before the socket is
/// simply closed (a peer that never answers must not leak the connection).
constexpr auto close_grace = std::chrono::seconds(2);
/// Bound on the server's upgrade (writing our 101).
constexpr auto handshake_timeout = std::chrono::seconds(5);
/// What one read of a plain socket can take (into a buffer per io thread):
/// a burst of a reply's deltas (~1.2 KB each) in one read, not one per frame.
constexpr std::size_t scratch_size = 64 * 1024;
/// What one read of a TLS stream asks for (into the connection's buffer);
/// grown for a larger frame.
constexpr std::size_t tls_read_size = 8 * 1024;
/// One write carries at most this many queued frames (each a header and a
/// payload: twice as many buffers, within Asio's 64 per writev).
constexpr std::size_t batch_max_frames = 24;
/// ...and stops adding frames once it holds this many bytes.
constexpr std::size_t batch_max_bytes = 256 * 1024;

} // namespace

template <class Stream>
ws_session<Stream>::ws_session(asio::any_io_executor strand, ws_limits limits, std::string remote,
                               std::shared_ptr<void> token)
    : strand_(std::move(strand)), limits_(limits), remote_(std::move(remote)),
      token_(std::move(token)), reader_(true, limits_.max_frame_bytes), close_timer_(strand_),
      keepalive_timer_(strand_) {}

template <class Stream> ws_session<Stream>::~ws_session() = default;

template <class Stream> void ws_session<Stream>::accept(Stream&& stream, beast_request&& req) {
  stream_.emplace(std::move(stream));
  server_ = true;
  connections_of(strand_).add(this->weak_from_this());
  auto answer = ws_answer_upgrade(req);
  handshake_out_ = std::move(answer.bytes);
  if (!answer.refusal.empty())
    refusal_ = "accept: " + answer.refusal;
  close_timer_.expires_after(handshake_timeout);
  close_timer_.async_wait([self = this->shared_from_this()](error_code ec) {
    if (!ec && !self->open_)
      self->finish("accept: timeout");
  });
  asio::async_write(*stream_, asio::buffer(handshake_out_),
                    beast::bind_front_handler(&ws_session::on_accept, this->shared_from_this()));
}

template <class Stream> void ws_session<Stream>::on_accept(error_code ec, std::size_t) {
  close_timer_.cancel();
  handshake_out_ = {};
  if (finished_)
    return;
  if (ec)
    return fail(ec, "accept");
  if (!refusal_.empty())
    return finish(refusal_);
  start();
}

template <class Stream> void ws_session<Stream>::adopt(Stream&& stream, std::string received) {
  stream_.emplace(std::move(stream));
  server_ = false;
  reader_ = ws_reader(false, limits_.max_frame_bytes);
  rbuf_.assign(received.begin(), received.end()); // the server's first frames, if any
  held_ = received.size();
  connections_of(strand_).add(this->weak_from_this());
  start();
}

template <class Stream> void ws_session<Stream>::start() {
  open_ = true;
  last_received_ = std::chrono::steady_clock::now();
  if constexpr (std::is_same_v<Stream, tcp_socket>) {
    error_code ignored; // on_readable's read_some must not block
    stream_->non_blocking(true, ignored);
  }
  arm_keepalive();
  if (held_ > 0)
    parse_held();
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
    if (self->finished_ || !self->stream_)
      return;
    // Linger on with a zero timeout: close() discards the send buffer and
    // the kernel answers with RST (the peer reads ECONNRESET), as when a
    // NAT box or a crashed host drops the connection.
    error_code ignored;
    auto& sock = beast::get_lowest_layer(*self->stream_);
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
    if (!self->paused_)
      return;
    self->paused_ = false;
    self->parse_held(); // frames read before the pause come first
    self->do_read();
  });
}

// -- reading --

template <class Stream> void ws_session<Stream>::do_read() {
  if (!open_ || finished_ || reading_ || paused_ || close_received_ || read_failed_)
    return;
  reading_ = true;
  if constexpr (std::is_same_v<Stream, tcp_socket>) {
    // A plain socket is waited on, then read into the io thread's scratch
    // buffer (on_readable): an idle connection holds no read buffer.
    stream_->async_wait(tcp_socket::wait_read, beast::bind_front_handler(&ws_session::on_readable,
                                                                         this->shared_from_this()));
    return;
  }
  if (held_ == 0 && rbuf_.size() > 2 * tls_read_size) {
    rbuf_.resize(tls_read_size); // a large frame's room is not kept
    rbuf_.shrink_to_fit();
  }
  // Room for a whole frame: what the frame held so far says it needs, at
  // least one read's worth beyond what is held.
  std::size_t need = ws_reader::frame_size(rbuf_.data(), held_);
  std::size_t want = std::max(held_ + tls_read_size, need);
  if (rbuf_.size() < want)
    rbuf_.resize(want);
  stream_->async_read_some(
      asio::buffer(rbuf_.data() + held_, rbuf_.size() - held_),
      beast::bind_front_handler(&ws_session::on_read, this->shared_from_this()));
}

template <class Stream> void ws_session<Stream>::on_read(error_code ec, std::size_t n) {
  reading_ = false;
  if (finished_)
    return;
  if (ec)
    return read_failed(ec);
  held_ += n;
  last_received_ = std::chrono::steady_clock::now();
  parse_held();
  do_read();
}

template <class Stream> void ws_session<Stream>::on_readable(error_code ec) {
  if constexpr (!std::is_same_v<Stream, tcp_socket>) {
    (void)ec; // a TLS stream reads with async_read_some (on_read)
  } else {
    reading_ = false;
    if (finished_)
      return;
    if (ec)
      return read_failed(ec);
    // One read takes all a burst brought (a reply's deltas, ~24 KB); complete
    // frames are handled where they lie, and only a frame not yet complete is
    // kept on the connection. Used only inside this handler, so one buffer
    // per thread serves every connection the thread runs.
    thread_local std::vector<char> scratch(scratch_size);
    std::size_t n = stream_->read_some(asio::buffer(scratch), ec); // non-blocking: start()
    if (ec == asio::error::would_block || ec == asio::error::try_again)
      return do_read();
    if (ec)
      return read_failed(ec);
    last_received_ = std::chrono::steady_clock::now();
    if (held_ > 0) { // the rest of a frame begun in an earlier read
      if (rbuf_.size() < held_ + n)
        rbuf_.resize(held_ + n);
      std::memcpy(rbuf_.data() + held_, scratch.data(), n);
      held_ += n;
      parse_held();
    } else {
      std::size_t used = parse(scratch.data(), n);
      if (finished_)
        return;
      held_ = n - used;
      if (held_ > 0) {
        rbuf_.resize(held_);
        std::memcpy(rbuf_.data(), scratch.data() + used, held_);
      }
    }
    if (held_ == 0 && !rbuf_.empty()) {
      rbuf_.clear();
      rbuf_.shrink_to_fit();
    }
    do_read();
  }
}

template <class Stream> void ws_session<Stream>::read_failed(error_code ec) {
  if (close_sent_ && ec == asio::error::eof)
    return finish(""); // the peer closed after our close frame
  fail(ec, "read");
}

template <class Stream> std::size_t ws_session<Stream>::parse(char* data, std::size_t size) {
  std::size_t at = 0;
  while (!paused_ && !finished_ && !close_received_ && !read_failed_ && at < size) {
    ws_event ev;
    bool have = false;
    std::size_t used = reader_.next(data + at, size - at, ev, have);
    if (used == 0)
      break; // a frame not complete yet
    at += used;
    if (have)
      handle(ev);
  }
  return at;
}

template <class Stream> void ws_session<Stream>::parse_held() {
  std::size_t at = parse(rbuf_.data(), held_);
  if (finished_)
    return;
  // Keep what is left at the front of the buffer.
  if (at > 0) {
    std::memmove(rbuf_.data(), rbuf_.data() + at, held_ - at);
    held_ -= at;
  }
}

template <class Stream> void ws_session<Stream>::handle(ws_event& ev) {
  switch (ev.kind) {
  case ws_event::text: {
    if (handlers_.on_wire)
      handlers_.on_wire(false, ev.payload);
    bool more = handlers_.on_text ? handlers_.on_text(std::move(ev.payload)) : true;
    if (!more)
      paused_ = true;
    return;
  }
  case ws_event::binary:
    // Twilio Media Streams and OpenAI Realtime send only text frames. One
    // line for the first, a count at the end: a peer that sends binary
    // frames must not be able to flood the log (one line per frame).
    if (binary_ignored_++ == 0)
      log::warn("Net", "ignoring binary WebSocket frames from " + remote_ +
                           " (only text frames are read; further ones are counted)");
    return;
  case ws_event::ping:
    if (end_after_close_)
      return; // our close frame is queued or sent: nothing may follow it
    control_.push_back({ws_opcode::pong, std::move(ev.payload)});
    return do_write();
  case ws_event::pong:
    return; // any bytes at all count as a sign of life (last_received_)
  case ws_event::close:
    close_received_ = true;
    if (close_sent_)
      return writing_ ? void() : teardown(""); // the answer to ours
    // Answer with the peer's code (none: normal), then end.
    return close_with(ev.code == 1005 ? ws_close::normal : ev.code, "");
  case ws_event::error:
    read_failed_ = true; // the reader's state is lost: nothing more is read
    return close_with(ev.code,
                      ev.code == ws_close::too_big ? "frame too large" : "read: " + ev.what);
  }
}

template <class Stream>
void ws_session<Stream>::close_with(std::uint16_t code, std::string reason) {
  if (close_sent_ || finished_)
    return;
  // Nothing more is sent after a close frame: what is queued is dropped,
  // but for the frames of a write in flight (it reads them from queue_).
  const std::size_t keep = writing_ ? batch_frames_ : 0;
  for (std::size_t i = keep; i < queue_.size(); ++i)
    queued_bytes_ -= queue_[i].size();
  queue_.erase(queue_.begin() + static_cast<std::ptrdiff_t>(keep), queue_.end());
  std::string payload{static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
  control_.push_back({ws_opcode::close, std::move(payload)});
  end_after_close_ = std::move(reason);
  close_timer_.expires_after(close_grace);
  close_timer_.async_wait([self = this->shared_from_this()](error_code ec) {
    if (ec)
      return;
    if (self->end_after_close_ && !self->end_after_close_->empty())
      return self->finish(*self->end_after_close_);
    // The handshake was over and only the socket's end was awaited: still
    // a normal end. Otherwise our close frame went unanswered.
    self->finish(self->tearing_down_ ? "" : "close timeout");
  });
  do_write();
}

// -- keep-alive: a ping after half the idle time, the end after all of it --
//
// Measured from the last bytes read, as Beast's idle timeout is; a read only
// notes the time, and the timer, when it fires, works out where it stands.
// (Re-arming the timer on every read would cost a cancelled wait, that is a
// trip through the io queue, per read.)

template <class Stream> void ws_session<Stream>::arm_keepalive() {
  if (limits_.idle_timeout_ms <= 0 || finished_)
    return;
  const auto idle = std::chrono::milliseconds(limits_.idle_timeout_ms);
  keepalive_timer_.expires_at(last_received_ + (ping_outstanding_ ? idle : idle / 2));
  keepalive_timer_.async_wait(
      beast::bind_front_handler(&ws_session::on_keepalive_tick, this->shared_from_this()));
}

template <class Stream> void ws_session<Stream>::on_keepalive_tick(error_code ec) {
  if (ec || finished_ || end_after_close_)
    return; // once our close frame is queued, close_grace bounds what is left
  const auto idle = std::chrono::milliseconds(limits_.idle_timeout_ms);
  const auto now = std::chrono::steady_clock::now();
  const auto quiet = now - last_received_;
  if (quiet >= idle)
    return finish("idle timeout"); // silent for the whole idle time, our ping unanswered
  if (ping_outstanding_ && last_received_ >= ping_sent_at_)
    ping_outstanding_ = false; // heard from since our ping
  if (quiet >= idle / 2 && !ping_outstanding_) {
    control_.push_back({ws_opcode::ping, {}});
    ping_outstanding_ = true;
    ping_sent_at_ = now;
    do_write();
  }
  arm_keepalive();
}

// -- writing and closing --

template <class Stream> void ws_session<Stream>::drain() {
  bool close_asked = false;
  {
    std::lock_guard lock(pending_mutex_);
    draining_.swap(pending_);
    close_asked = pending_closed_;
  }
  if (finished_ || close_requested_ || close_sent_) {
    draining_.clear();
    return;
  }
  for (auto& frame : draining_) {
    if (handlers_.on_wire)
      handlers_.on_wire(true, frame);
    queued_bytes_ += frame.size();
    queue_.push_back(std::move(frame));
  }
  draining_.clear();
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

template <class Stream> void ws_session<Stream>::do_write() {
  if (!open_ || finished_ || writing_)
    return;
  if (control_.empty() && queue_.empty()) {
    if (close_requested_ && !close_sent_)
      close_with(ws_close::normal, ""); // queues the close frame and comes back
    return;
  }
  // Every frame queued leaves in this one gather write: control frames
  // first, then the queue's text frames (a media frame and its mark, a
  // reply's deltas read together). One write, one trip through the io
  // queue, and full TCP segments (issue 15.2: bench/RESULTS.md).
  headers_.clear();
  gather_.clear();
  batch_control_.clear();
  auto add = [&](ws_opcode op, std::string& payload) {
    auto& h = headers_.emplace_back();
    std::uint32_t mask = 0;
    if (!server_) {
      mask = ws_mask_key();
      ws_apply_mask(payload.data(), payload.size(), mask);
    }
    std::size_t hn = ws_write_header(h.data(), op, payload.size(), !server_, mask);
    gather_.emplace_back(h.data(), hn);
    if (!payload.empty())
      gather_.emplace_back(payload.data(), payload.size());
  };
  headers_.reserve(control_.size() + std::min(queue_.size(), batch_max_frames));
  bool has_close = false;
  while (!control_.empty()) {
    batch_control_.push_back(std::move(control_.front()));
    control_.pop_front();
    has_close = has_close || batch_control_.back().op == ws_opcode::close;
  }
  for (auto& c : batch_control_)
    add(c.op, c.payload);
  batch_frames_ = 0;
  std::size_t bytes = 0;
  if (!has_close) {
    for (auto& frame : queue_) {
      if (batch_frames_ == batch_max_frames || (batch_frames_ > 0 && bytes >= batch_max_bytes))
        break;
      add(ws_opcode::text, frame);
      bytes += frame.size();
      ++batch_frames_;
    }
  }
  if (has_close)
    close_sent_ = true;
  writing_ = true;
  write_some();
}

template <class Stream> void ws_session<Stream>::write_some() {
  // async_write_some, not async_write: the composed write passes at most
  // 16 buffers (8 frames) to each sendmsg, and every sendmsg leaves in a
  // TCP segment of its own (TCP_NODELAY); one call here passes up to 64.
  // (Writing at once with a non-blocking send instead of waiting for the
  // completion was measured too: no better, and a segment per frame;
  // bench/RESULTS.md.)
  stream_->async_write_some(
      gather_, beast::bind_front_handler(&ws_session::on_write, this->shared_from_this()));
}

template <class Stream> void ws_session<Stream>::on_write(error_code ec, std::size_t n) {
  if (finished_)
    return;
  if (ec)
    return fail(ec, "write");
  // Drop what was written from the front of the gather list.
  std::size_t done = 0;
  while (done < gather_.size() && n >= gather_[done].size())
    n -= gather_[done++].size();
  gather_.erase(gather_.begin(), gather_.begin() + static_cast<std::ptrdiff_t>(done));
  if (!gather_.empty()) {
    gather_.front() += n;
    return write_some();
  }
  writing_ = false;
  for (; batch_frames_ > 0; --batch_frames_) {
    queued_bytes_ -= queue_.front().size();
    queue_.pop_front();
  }
  batch_control_.clear();
  if (close_sent_) {
    // Ours is out. A close we answered ends the connection now, and so
    // does one sent for an error; our own close waits for the peer's
    // answer (reading goes on).
    // The peer reads it before the connection goes (closing a socket with
    // bytes unread would reset it, and the close frame could be lost).
    if (close_received_)
      return teardown("");
    if (end_after_close_ && !end_after_close_->empty())
      return teardown(*end_after_close_);
  }
  do_write();
}

template <class Stream> void ws_session<Stream>::teardown(std::string reason) {
  // Our close frame is out, and the peer's came (or ours was sent for an
  // error, `reason`): end the stream as RFC 6455 7.1.1 asks
  // (the server's TCP close first; over TLS, close_notify both ways) with
  // Beast's teardown for a socket and tls_stream's own (found by argument-
  // dependent lookup); close_grace bounds it.
  if (tearing_down_ || finished_)
    return;
  tearing_down_ = true;
  using boost::beast::websocket::async_teardown;
  async_teardown(server_ ? beast::role_type::server : beast::role_type::client, *stream_,
                 [self = this->shared_from_this(), reason = std::move(reason)](error_code) {
                   self->finish(reason);
                 });
}

template <class Stream> void ws_session<Stream>::fail(error_code ec, const char* what) {
  // A TLS peer that skips close_notify (ssl::error::stream_truncated,
  // common in practice: see Beast's server-flex fail()) ends a connection
  // normally.
  if (ec == asio::ssl::error::stream_truncated)
    return finish("");
  finish(std::string(what) + ": " + ec.message());
}

template <class Stream> void ws_session<Stream>::finish(const std::string& reason) {
  if (finished_)
    return;
  finished_ = true;
  open_ = false;
  close_timer_.cancel();
  keepalive_timer_.cancel();
  // The socket first: a write in flight reads from queue_ until then.
  if (stream_) {
    error_code ignored;
    beast::get_lowest_layer(*stream_).close(ignored);
  }
  queue_.clear();
  control_.clear();
  queued_bytes_ = 0;
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
