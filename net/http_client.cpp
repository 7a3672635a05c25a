// http_send: one request per connection (Connection: close), resolve to
// response under one deadline, TLS verified like ws_connect.
#include "net/http_client.hpp"

#include "net/detail/tls_client.hpp"
#include "net/detail/url_parts.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace sb::net {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using beast::error_code;
using tls_socket = asio::ssl::stream<tcp::socket>;

/// Responses we accept; webhook answers are small.
constexpr std::uint64_t max_response_body = 8 * 1024 * 1024;

template <class Stream>
class http_exchange : public std::enable_shared_from_this<http_exchange<Stream>> {
  static constexpr bool tls = std::is_same_v<Stream, tls_socket>;

public:
  template <class... StreamArgs>
  http_exchange(asio::any_io_executor strand, http_client_request request,
                std::function<void(http_client_result)> done, detail::url_parts url,
                StreamArgs&&... stream_args)
      : request_(std::move(request)), done_(std::move(done)), url_(std::move(url)),
        resolver_(strand), timer_(strand),
        stream_(strand, std::forward<StreamArgs>(stream_args)...) {}

  void run() {
    timer_.expires_after(request_.timeout);
    timer_.async_wait([self = this->shared_from_this()](error_code ec) {
      if (ec || self->finished_)
        return;
      self->timed_out_ = true;
      self->resolver_.cancel();
      error_code ignored;
      beast::get_lowest_layer(self->stream_).close(ignored);
    });
    resolver_.async_resolve(
        url_.host, url_.port,
        beast::bind_front_handler(&http_exchange::on_resolve, this->shared_from_this()));
  }

private:
  void on_resolve(error_code ec, tcp::resolver::results_type results) {
    if (ec)
      return fail("resolve", ec);
    asio::async_connect(
        beast::get_lowest_layer(stream_), results,
        beast::bind_front_handler(&http_exchange::on_connect, this->shared_from_this()));
  }

  void on_connect(error_code ec, const tcp::endpoint&) {
    if (ec)
      return fail("connect", ec);
    error_code ignored; // no Nagle: see http_server.cpp on_accept
    beast::get_lowest_layer(stream_).set_option(tcp::no_delay(true), ignored);
    if constexpr (tls) {
      if (auto s = detail::configure_client_tls(stream_.native_handle(), url_.host); !s)
        return finish_error("tls: " + s.err().message);
      stream_.async_handshake(
          asio::ssl::stream_base::client,
          beast::bind_front_handler(&http_exchange::on_tls, this->shared_from_this()));
    } else {
      do_write();
    }
  }

  void on_tls(error_code ec) {
    if (ec)
      return fail("tls", ec);
    do_write();
  }

  void do_write() {
    req_.method_string(request_.method);
    req_.target(url_.target);
    req_.version(11);
    req_.set(http::field::host, url_.host_header);
    req_.set(http::field::user_agent, "switchboard");
    for (const auto& [k, v] : request_.headers)
      req_.set(k, v);
    if (!request_.body.empty() || request_.method == "POST" || request_.method == "PUT") {
      req_.set(http::field::content_type, request_.content_type);
      req_.body() = std::move(request_.body);
    }
    req_.keep_alive(false);
    req_.prepare_payload();
    http::async_write(
        stream_, req_,
        beast::bind_front_handler(&http_exchange::on_write, this->shared_from_this()));
  }

  void on_write(error_code ec, std::size_t) {
    if (ec)
      return fail("write", ec);
    parser_.body_limit(max_response_body);
    http::async_read(stream_, buffer_, parser_,
                     beast::bind_front_handler(&http_exchange::on_read, this->shared_from_this()));
  }

  void on_read(error_code ec, std::size_t) {
    if (ec)
      return fail("read", ec);
    auto& res = parser_.get();
    http_client_result out;
    out.status = res.result_int();
    out.body = std::move(res.body());
    for (const auto& f : res)
      out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    finish(std::move(out));
  }

  void fail(const char* what, error_code ec) {
    finish_error(timed_out_ ? std::string("timeout") : std::string(what) + ": " + ec.message());
  }

  void finish_error(std::string error) {
    http_client_result out;
    out.error = std::move(error);
    finish(std::move(out));
  }

  void finish(http_client_result result) {
    if (finished_)
      return;
    finished_ = true;
    timer_.cancel();
    // Connection: close was sent; no TLS close_notify exchange is needed to
    // trust a response whose length was framed (Content-Length/chunked).
    error_code ignored;
    beast::get_lowest_layer(stream_).close(ignored);
    if (done_)
      done_(std::move(result));
  }

  http_client_request request_;
  std::function<void(http_client_result)> done_;
  detail::url_parts url_;
  tcp::resolver resolver_;
  asio::steady_timer timer_;
  Stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  http::response_parser<http::string_body> parser_;
  bool timed_out_ = false;
  bool finished_ = false;
};

} // namespace

void http_send(asio::io_context& io, http_client_request request,
               std::function<void(http_client_result)> done) {
  auto strand = asio::make_strand(io);
  auto fail_async = [&](std::string error) {
    asio::post(strand, [done = std::move(done), error = std::move(error)] {
      http_client_result out;
      out.error = error;
      done(std::move(out));
    });
  };
  auto url = detail::parse_url(request.url, "http", "https");
  if (!url)
    return fail_async(url.err().message);
  if (!url->secure) {
    std::make_shared<http_exchange<tcp::socket>>(strand, std::move(request), std::move(done),
                                                 std::move(*url))
        ->run();
    return;
  }
  auto ctx = detail::make_client_tls_context(request.ca_file, request.ca_pem);
  if (!ctx)
    return fail_async("tls: " + ctx.err().message);
  std::make_shared<http_exchange<tls_socket>>(strand, std::move(request), std::move(done),
                                              std::move(*url), **ctx)
      ->run();
}

} // namespace sb::net
