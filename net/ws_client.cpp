// ws_connect: resolve, connect, TLS (verified), upgrade, all under one
// deadline; client_connect makes the connection, the upgrade here hands the
// stream to a ws_session.
#include "net/ws_client.hpp"

#include "net/detail/client_connect.hpp"
#include "net/detail/executor.hpp"
#include "net/detail/tls_client.hpp"
#include "net/detail/tls_stream.hpp"
#include "net/detail/url_parts.hpp"
#include "net/detail/ws_frame.hpp"
#include "net/detail/ws_handshake.hpp"
#include "net/detail/ws_session.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <cctype>
#include <optional>

namespace sb::net {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using beast::error_code;

/// Largest handshake response we read (its headers and any body of a
/// refusal): a server that sends more is not one we talk to.
constexpr std::uint32_t max_handshake_response = 16 * 1024;

/// What the upgrade needs once the connection is there.
struct upgrade_job {
  asio::any_io_executor strand;
  ws_client_options options;
  ws_handlers handlers;
  std::function<void(ws_connect_result)> done;
  detail::url_parts url;
};

/// The client's half of the opening handshake (RFC 6455 4.1): our GET with
/// a fresh key, the server's 101 with its accept key checked; what the
/// server sent after its 101 goes to the session with the stream.
template <class Stream>
class ws_upgrader : public std::enable_shared_from_this<ws_upgrader<Stream>> {
public:
  ws_upgrader(upgrade_job job, Stream&& stream, std::string remote)
      : job_(std::move(job)), remote_(std::move(remote)), timer_(job_.strand),
        stream_(std::move(stream)) {}

  /// Upgrades before `deadline`, the connect's own.
  void run(std::chrono::steady_clock::time_point deadline) {
    timer_.expires_at(deadline);
    timer_.async_wait([self = this->shared_from_this()](error_code ec) {
      if (ec || self->finished_)
        return;
      self->timed_out_ = true;
      error_code ignored;
      beast::get_lowest_layer(self->stream_).close(ignored);
    });
    do_upgrade();
  }

private:
  void do_upgrade() {
    key_ = detail::ws_new_key();
    // Header values (Authorization) go on the wire only, never into a log.
    request_ = detail::ws_upgrade_request(job_.url, key_, job_.options.headers);
    http::async_write(
        stream_, request_,
        beast::bind_front_handler(&ws_upgrader::on_request_written, this->shared_from_this()));
  }

  void on_request_written(error_code ec, std::size_t) {
    if (ec)
      return fail("handshake", ec);
    parser_.emplace();
    parser_->body_limit(max_handshake_response);
    parser_->header_limit(max_handshake_response);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&ws_upgrader::on_upgrade, this->shared_from_this()));
  }

  void on_upgrade(error_code ec, std::size_t) {
    if (ec)
      return fail("handshake", ec);
    const auto& res = parser_->get();
    auto problem = detail::ws_upgrade_response_problem(res, key_);
    if (!problem.empty()) {
      int status = res.result() == http::status::switching_protocols ? 0 : res.result_int();
      return finish({nullptr, "handshake: " + problem, status});
    }
    auto session =
        std::make_shared<detail::ws_session<Stream>>(job_.strand, job_.options.limits, remote_);
    session->set_handlers(std::move(job_.handlers)); // on the strand: runs now
    session->adopt(std::move(stream_), beast::buffers_to_string(buffer_.data()));
    finish({session, "", 0});
  }

  void fail(const char* what, error_code ec) {
    if (timed_out_)
      return finish({nullptr, "timeout", 0});
    finish({nullptr, std::string(what) + ": " + ec.message(), 0});
  }

  void finish(ws_connect_result result) {
    if (finished_)
      return;
    finished_ = true;
    timer_.cancel();
    if (!result.conn) {
      error_code ignored;
      beast::get_lowest_layer(stream_).close(ignored);
    }
    if (job_.done)
      job_.done(std::move(result));
  }

  upgrade_job job_;
  std::string remote_;
  asio::steady_timer timer_;
  Stream stream_;
  std::string key_;
  http::request<http::empty_body> request_;
  beast::flat_buffer buffer_;
  std::optional<http::response_parser<http::string_body>> parser_;
  bool timed_out_ = false;
  bool finished_ = false;
};

template <class Stream>
void start_upgrade(upgrade_job job, Stream stream, detail::client_connection& c) {
  std::make_shared<ws_upgrader<Stream>>(std::move(job), std::move(stream), std::move(c.remote))
      ->run(c.deadline);
}

} // namespace

bool is_loopback_host(const std::string& host_in) {
  std::string host = host_in;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  if (!host.empty() && host.back() == '.')
    host.pop_back();
  std::transform(host.begin(), host.end(), host.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (host == "localhost")
    return true;
  error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec)
    return false;
  if (address.is_v6() && address.to_v6().is_v4_mapped())
    return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).is_loopback();
  return address.is_loopback();
}

void ws_connect(asio::io_context& io, ws_client_options options, ws_handlers handlers,
                std::function<void(ws_connect_result)> done) {
  auto strand = detail::connection_executor(io);
  auto fail_async = [&](std::string error) {
    asio::post(strand, [done = std::move(done), error = std::move(error)] {
      done({nullptr, error, 0});
    });
  };
  auto url = detail::parse_url(options.url, "ws", "wss");
  if (!url)
    return fail_async(url.err().message);
  // Plain text is for the loopback (tests, a local proxy) only: anything
  // else would send Authorization headers and call audio in the clear.
  if (!url->secure && !is_loopback_host(url->host))
    return fail_async("refused: plain ws:// to a non-loopback host");
  detail::client_target target{*url, options.ca_file, options.ca_pem, options.connect_timeout};
  upgrade_job job{strand, std::move(options), std::move(handlers), std::move(done),
                  std::move(*url)};
  detail::client_connect(strand, std::move(target),
                         [job = std::move(job)](detail::client_connection c) mutable {
                           if (!c.error.empty()) {
                             if (job.done)
                               job.done({nullptr, std::move(c.error), 0});
                             return;
                           }
                           if (c.tls)
                             return start_upgrade(std::move(job), std::move(*c.tls), c);
                           start_upgrade(std::move(job), std::move(*c.socket), c);
                         });
}

status prepare_tls_client(const std::string& ca_file, const std::string& ca_pem) {
  auto ctx = detail::make_client_tls_context(ca_file, ca_pem);
  if (!ctx)
    return ctx.err();
  return ok_status();
}

} // namespace sb::net
