// ws_connect: resolve, connect, TLS (verified), upgrade, all under one
// deadline; then the stream is handed to a ws_session.
#include "net/ws_client.hpp"

#include "net/detail/executor.hpp"

#include "net/detail/server_shared.hpp"
#include "net/detail/tls_client.hpp"
#include "net/detail/tls_stream.hpp"
#include "net/detail/url_parts.hpp"
#include "net/detail/ws_session.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/stream_traits.hpp>

#include <algorithm>
#include <cctype>

namespace sb::net {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using asio::ip::tcp;
using beast::error_code;
using detail::tcp_socket;
using detail::tls_stream;

template <class Stream>
class ws_connector : public std::enable_shared_from_this<ws_connector<Stream>> {
  static constexpr bool tls = std::is_same_v<Stream, tls_stream>;
  using ws_stream = websocket::stream<Stream>;

public:
  template <class... StreamArgs>
  ws_connector(asio::any_io_executor strand, ws_client_options options, ws_handlers handlers,
               std::function<void(ws_connect_result)> done, detail::url_parts url,
               StreamArgs&&... stream_args)
      : strand_(strand), options_(std::move(options)), handlers_(std::move(handlers)),
        done_(std::move(done)), url_(std::move(url)), resolver_(strand), timer_(strand),
        ws_(strand, std::forward<StreamArgs>(stream_args)...) {}

  void run() {
    timer_.expires_after(options_.connect_timeout);
    timer_.async_wait([self = this->shared_from_this()](error_code ec) {
      if (ec || self->finished_)
        return;
      self->timed_out_ = true;
      self->resolver_.cancel();
      error_code ignored;
      beast::get_lowest_layer(self->ws_).close(ignored);
    });
    resolver_.async_resolve(
        url_.host, url_.port,
        beast::bind_front_handler(&ws_connector::on_resolve, this->shared_from_this()));
  }

private:
  void on_resolve(error_code ec, tcp::resolver::results_type results) {
    if (ec)
      return fail("resolve", ec);
    asio::async_connect(
        beast::get_lowest_layer(ws_), results,
        beast::bind_front_handler(&ws_connector::on_connect, this->shared_from_this()));
  }

  void on_connect(error_code ec, const tcp::endpoint& ep) {
    if (ec)
      return fail("connect", ec);
    remote_ = detail::endpoint_string(ep);
    error_code ignored; // no Nagle: see http_server.cpp on_accept
    beast::get_lowest_layer(ws_).set_option(tcp::no_delay(true), ignored);
    if constexpr (tls) {
      if (auto s = detail::configure_client_tls(ws_.next_layer().native_handle(), url_.host); !s)
        return finish({nullptr, "tls: " + s.err().message, 0});
      ws_.next_layer().async_handshake(
          asio::ssl::stream_base::client,
          beast::bind_front_handler(&ws_connector::on_tls, this->shared_from_this()));
    } else {
      do_upgrade();
    }
  }

  void on_tls(error_code ec) {
    if (ec)
      return fail("tls", ec);
    do_upgrade();
  }

  void do_upgrade() {
    // Header values (Authorization) go on the wire only, never into a log.
    ws_.set_option(websocket::stream_base::decorator(
        [headers = options_.headers](websocket::request_type& req) {
          req.set(beast::http::field::user_agent, "switchboard");
          for (const auto& [k, v] : headers)
            req.set(k, v);
        }));
    ws_.async_handshake(
        response_, url_.host_header, url_.target,
        beast::bind_front_handler(&ws_connector::on_upgrade, this->shared_from_this()));
  }

  void on_upgrade(error_code ec) {
    if (ec == websocket::error::upgrade_declined && !timed_out_) {
      int status = response_.result_int();
      return finish(
          {nullptr,
           "handshake: HTTP " + std::to_string(status) + " " + std::string(response_.reason()),
           status});
    }
    if (ec)
      return fail("handshake", ec);
    auto session = std::make_shared<detail::ws_session<Stream>>(strand_, options_.limits, remote_);
    session->set_handlers(std::move(handlers_)); // on the strand: runs now
    session->adopt(std::move(ws_));
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
      beast::get_lowest_layer(ws_).close(ignored);
    }
    if (done_)
      done_(std::move(result));
  }

  asio::any_io_executor strand_;
  ws_client_options options_;
  ws_handlers handlers_;
  std::function<void(ws_connect_result)> done_;
  detail::url_parts url_;
  tcp::resolver resolver_;
  asio::steady_timer timer_;
  ws_stream ws_;
  websocket::response_type response_;
  std::string remote_;
  bool timed_out_ = false;
  bool finished_ = false;
};

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
  if (!url->secure) {
    // Plain text is for the loopback (tests, a local proxy) only: anything
    // else would send Authorization headers and call audio in the clear.
    if (!is_loopback_host(url->host))
      return fail_async("refused: plain ws:// to a non-loopback host");
    std::make_shared<ws_connector<tcp_socket>>(strand, std::move(options), std::move(handlers),
                                               std::move(done), std::move(*url))
        ->run();
    return;
  }
  auto ctx = detail::make_client_tls_context(options.ca_file, options.ca_pem);
  if (!ctx)
    return fail_async("tls: " + ctx.err().message);
  // The SSL object holds its own reference to the SSL_CTX (SSL_new), so the
  // context may go away once the stream exists.
  std::make_shared<ws_connector<tls_stream>>(strand, std::move(options), std::move(handlers),
                                             std::move(done), std::move(*url), **ctx)
      ->run();
}

status prepare_tls_client(const std::string& ca_file, const std::string& ca_pem) {
  auto ctx = detail::make_client_tls_context(ca_file, ca_pem);
  if (!ctx)
    return ctx.err();
  return ok_status();
}

} // namespace sb::net
