// One server connection: TLS handshake (if any), then HTTP requests one at a
// time with keep-alive, each bounded by size limits and a read timeout, until
// the connection closes or becomes a WebSocket (ws_session).
#include "net/detail/live_connections.hpp"
#include "net/detail/server_shared.hpp"
#include "net/detail/ws_session.hpp"

#include "common/log.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/read_size.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <array>
#include <type_traits>

namespace sb::net::detail {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using beast::error_code;

/// How long a route handler may take to call its responder: 503 after that.
constexpr auto handler_timeout = std::chrono::seconds(30);
/// Bound on a graceful close (TLS close_notify, draining a FIN).
constexpr auto close_timeout = std::chrono::seconds(1);

/// The request as routes see it; `body` is moved in (the route is the body's
/// last reader).
http_request to_plain(const beast_request& req, const std::string& remote, std::string body) {
  http_request out;
  out.method = std::string(req.method_string());
  out.target = std::string(req.target());
  out.headers.reserve(static_cast<std::size_t>(std::distance(req.begin(), req.end())));
  for (const auto& f : req)
    out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  out.body = std::move(body);
  out.remote = remote;
  return out;
}

bool is_http_parse_error(const error_code& ec) {
  return ec.category() == make_error_code(http::error::bad_method).category();
}

template <class Stream>
class http_session final : public endable,
                           public std::enable_shared_from_this<http_session<Stream>> {
  static constexpr bool tls = std::is_same_v<Stream, tls_stream>;
  enum class phase { handshake, reading, handling, writing, closing, done };

public:
  http_session(Stream&& stream, std::shared_ptr<server_shared> shared, std::shared_ptr<void> token,
               std::string remote)
      : stream_(std::move(stream)), shared_(std::move(shared)), token_(std::move(token)),
        remote_(std::move(remote)), timer_(stream_.get_executor()) {}

  void run() {
    connections_of(stream_.get_executor()).add(this->weak_from_this());
    if constexpr (tls) {
      arm(phase::handshake, shared_->options.read_timeout);
      stream_.async_handshake(
          asio::ssl::stream_base::server,
          beast::bind_front_handler(&http_session::on_handshake, this->shared_from_this()));
    } else {
      do_read();
    }
  }

  // -- endable (live_connections.hpp): the server is stopping --

  void end_gracefully() override {
    asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      self->keep_alive_ = false; // a response being made or written is the last
      const bool idle = self->phase_ == phase::reading && self->parser_ &&
                        !self->parser_->got_some() && self->buffer_.size() == 0;
      if (idle || self->phase_ == phase::handshake)
        self->close_socket(true);
    });
  }

  void end_now() override {
    asio::dispatch(stream_.get_executor(),
                   [self = this->shared_from_this()] { self->close_socket(true); });
  }

private:
  // -- the one timer: its meaning depends on the phase it was armed for --
  //
  // arm() only moves the deadline. The timer is re-armed (a timerfd_settime
  // and a cancelled wait) only when the new deadline is earlier than the wait
  // in flight; a wait that ends before the deadline waits again for the rest.
  // A keep-alive request therefore costs no timer system call: reading,
  // handling and writing each push the deadline later (webhook p99,
  // bench/RESULTS.md).

  void arm(phase p, std::chrono::steady_clock::duration d) {
    phase_ = p;
    ++generation_;
    deadline_ = std::chrono::steady_clock::now() + d;
    if (!waiting_ || deadline_ < timer_.expiry())
      wait_for_deadline();
  }

  void wait_for_deadline() {
    timer_.expires_at(deadline_); // a wait in flight ends with operation_aborted
    waiting_ = true;
    timer_.async_wait([self = this->shared_from_this(), wait = ++wait_generation_](error_code ec) {
      if (wait != self->wait_generation_)
        return; // superseded by a later wait
      self->waiting_ = false;
      if (ec || self->phase_ == phase::done)
        return;
      if (std::chrono::steady_clock::now() < self->deadline_)
        return self->wait_for_deadline();
      self->on_timer();
    });
  }

  void on_timer() {
    switch (phase_) {
    case phase::reading:
      // Cancel the read; on_read answers 408 (a slow client, RFC 9110 15.5.9).
      timed_out_ = true;
      return close_socket(false);
    case phase::handling:
      return write(http_response::text(503, "handler timeout\n"), false);
    default:
      return close_socket(true);
    }
  }

  void close_socket(bool hard) {
    error_code ignored;
    auto& sock = beast::get_lowest_layer(stream_);
    if (hard) {
      sock.close(ignored);
      phase_ = phase::done;
      ++generation_;
      timer_.cancel();
      mark_ended();
    } else {
      sock.cancel(ignored);
    }
  }

  void on_handshake(error_code ec) {
    if (ec) {
      log::debug("Net", "TLS handshake with " + remote_ + " failed: " + ec.message());
      return close_socket(true);
    }
    do_read();
  }

  // -- reading a request --

  // Beast's parser fed by our own read loop rather than http::async_read:
  // the same parsing and limits, without its composed operations (their
  // handler layers and executor copies cost the io thread per request,
  // webhook p99, bench/RESULTS.md). Bytes of a pipelined next request stay
  // in buffer_ and are parsed before reading again.

  void do_read() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(shared_->options.max_header_bytes));
    parser_->body_limit(shared_->options.max_body_bytes);
    timed_out_ = false;
    arm(phase::reading, shared_->options.read_timeout);
    parse_buffered();
  }

  void parse_buffered() {
    while (buffer_.size() > 0 && !parser_->is_done()) {
      error_code ec;
      const std::size_t used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec == http::error::need_more || (!ec && used == 0))
        break; // (Beast reports need_more; the second test only guards against a spin)
      if (ec)
        return on_read(ec);
    }
    if (parser_->is_done())
      return on_read({});
    read_more();
  }

  void read_more() {
    // A header larger than the buffer can grow to is refused by the
    // parser's header_limit before this bound matters.
    const std::size_t size = beast::read_size(buffer_, 65536);
    stream_.async_read_some(
        buffer_.prepare(size), [self = this->shared_from_this()](error_code ec, std::size_t n) {
          if (self->phase_ != phase::reading)
            return;
          if (ec == asio::error::eof)
            return self->on_read(self->parser_->got_some() ? http::error::partial_message
                                                           : http::error::end_of_stream);
          if (ec)
            return self->on_read(ec);
          self->buffer_.commit(n);
          self->parse_buffered();
        });
  }

  void on_read(error_code ec) {
    if (phase_ != phase::reading)
      return;
    if (timed_out_) {
      // Idle keep-alive connections just close; a half-sent request gets 408.
      if (parser_->got_some() || buffer_.size() > 0)
        return write(http_response::text(408, "request timeout\n"), false);
      return close_socket(true);
    }
    if (ec == http::error::header_limit)
      return write(http_response::text(431, "request header fields too large\n"), false);
    if (ec == http::error::body_limit)
      return write(http_response::text(413, "content too large\n"), false);
    if (ec == http::error::end_of_stream || ec == http::error::partial_message)
      return close_socket(true);
    if (ec && is_http_parse_error(ec))
      return write(http_response::text(400, "bad request\n"), false);
    if (ec)
      return close_socket(true);

    beast_request req = parser_->release();
    keep_alive_ = req.keep_alive();
    version_ = req.version();
    if (log::enabled(log::level::debug))
      log::debug("Net", std::string(req.method_string()) + " " +
                            std::string(req.target().substr(0, req.target().find('?'))) + " from " +
                            remote_);
    if (beast::websocket::is_upgrade(req))
      return upgrade(std::move(req));
    if (!shared_->handlers.on_request)
      return write(http_response::text(404, "not found\n"), keep_alive_);
    arm(phase::handling, handler_timeout); // also keeps this session alive
    std::string body = std::move(req.body());
    shared_->handlers.on_request(to_plain(req, remote_, std::move(body)), make_responder());
  }

  responder make_responder() {
    // Only the first answer for this request is written: the phase and the
    // generation change as soon as it is, so a second call finds neither.
    return [weak = this->weak_from_this(), ex = stream_.get_executor(),
            gen = generation_](http_response res) {
      // dispatch: a handler that answers at once, on the connection's own
      // thread, writes now; an answer from another thread (an actor) is
      // posted. write() re-arms the phase, so nothing runs after it here.
      asio::dispatch(ex, [weak, gen, res = std::move(res)]() mutable {
        // The connection may be gone or may have answered 503 already.
        if (auto self = weak.lock();
            self && self->phase_ == phase::handling && self->generation_ == gen)
          self->write(std::move(res), self->keep_alive_);
      });
    };
  }

  void upgrade(beast_request&& req) {
    if (!shared_->handlers.on_upgrade)
      return write(http_response::text(404, "not found\n"), false);
    auto ws = std::make_shared<ws_session<Stream>>(stream_.get_executor(), shared_->options.ws,
                                                   remote_, token_);
    if (auto refusal = shared_->handlers.on_upgrade(to_plain(req, remote_, req.body()), ws))
      return write(std::move(*refusal), false);
    phase_ = phase::done;
    ++generation_;
    timer_.cancel();
    mark_ended();   // the WebSocket session is the live connection from now on
    token_.reset(); // and counts it
    ws->accept(std::move(stream_), std::move(req));
  }

  // -- writing a response --
  //
  // The head is formatted into one reused string and written with the body
  // in one gather write: no per-field allocations, no serializer (webhook
  // p99, bench/RESULTS.md). Header values come from our own routes; one with
  // a line break is dropped rather than split into two headers.

  void write(http_response r, bool keep_alive) {
    keep_alive_ = keep_alive;
    const auto status = static_cast<http::status>(r.status);
    const bool bodyless = r.status / 100 == 1 || r.status == 204 || r.status == 304;
    head_.clear();
    head_ += version_ == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
    head_ += std::to_string(r.status);
    head_ += ' ';
    head_ += http::obsolete_reason(status);
    head_ += "\r\nServer: switchboard\r\n";
    if (!r.content_type.empty())
      add_field("Content-Type", r.content_type);
    for (const auto& [k, v] : r.headers)
      add_field(k, v);
    if (!bodyless) {
      head_ += "Content-Length: ";
      head_ += std::to_string(r.body.size());
      head_ += "\r\n";
    }
    if (version_ != 10 && !keep_alive)
      head_ += "Connection: close\r\n";
    else if (version_ == 10 && keep_alive)
      head_ += "Connection: keep-alive\r\n";
    head_ += "\r\n";
    body_ = bodyless ? std::string{} : std::move(r.body);
    arm(phase::writing, shared_->options.read_timeout);
    const std::array<asio::const_buffer, 2> buffers{asio::buffer(head_), asio::buffer(body_)};
    asio::async_write(stream_, buffers,
                      beast::bind_front_handler(&http_session::on_write, this->shared_from_this()));
  }

  void add_field(std::string_view name, std::string_view value) {
    if (name.find_first_of("\r\n:") != std::string_view::npos ||
        value.find_first_of("\r\n") != std::string_view::npos) {
      log::warn("Net", "Dropped a malformed response header (a line break, or a colon in "
                       "its name): " +
                           std::string(name));
      return;
    }
    head_ += name;
    head_ += ": ";
    head_ += value;
    head_ += "\r\n";
  }

  void on_write(error_code ec, std::size_t) {
    if (phase_ != phase::writing)
      return;
    if (ec)
      return close_socket(true);
    if (keep_alive_)
      return do_read();
    do_shutdown();
  }

  // -- closing gracefully: the response must reach the client before a RST --

  void do_shutdown() {
    arm(phase::closing, close_timeout);
    if constexpr (tls) {
      stream_.async_shutdown(
          [self = this->shared_from_this()](error_code) { self->close_socket(true); });
    } else {
      error_code ignored;
      stream_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
      do_drain();
    }
  }

  void do_drain() {
    stream_.async_read_some(asio::buffer(drain_),
                            [self = this->shared_from_this()](error_code ec, std::size_t) {
                              if (ec || self->phase_ != phase::closing)
                                return self->close_socket(true);
                              self->do_drain();
                            });
  }

  Stream stream_;
  std::shared_ptr<server_shared> shared_;
  std::shared_ptr<void> token_;
  std::string remote_;
  asio::steady_timer timer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string head_; ///< the response head being written (reused)
  std::string body_; ///< the response body being written
  std::array<char, 4096> drain_{};
  phase phase_ = phase::handshake;
  std::uint64_t generation_ = 0;      ///< bumped by every arm(): a responder's request
  std::uint64_t wait_generation_ = 0; ///< the timer wait in flight
  std::chrono::steady_clock::time_point deadline_{};
  bool waiting_ = false;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool timed_out_ = false;
};

} // namespace

void start_http_session(asio::ip::tcp::socket socket, std::shared_ptr<server_shared> shared) {
  error_code ec;
  auto ep = socket.remote_endpoint(ec);
  std::string remote = ec ? "unknown" : endpoint_string(ep);
  ++shared->open_connections;
  std::shared_ptr<void> token(nullptr, [s = shared](void*) { --s->open_connections; });
  if (shared->tls) {
    auto& ctx = *shared->tls;
    std::make_shared<http_session<tls_stream>>(tls_stream(std::move(socket), ctx), shared,
                                               std::move(token), std::move(remote))
        ->run();
  } else {
    std::make_shared<http_session<tcp_socket>>(std::move(socket), shared, std::move(token),
                                               std::move(remote))
        ->run();
  }
}

} // namespace sb::net::detail
