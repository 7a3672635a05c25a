// The listener: binds, optionally loads the TLS certificate, and accepts
// connections, each on its own strand (server_session.cpp serves them).
#include "net/http_server.hpp"

#include "net/detail/executor.hpp"

#include "net/detail/server_shared.hpp"

#include "common/log.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include <unistd.h>

namespace sb::net {

namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using asio::ip::tcp;
using boost::system::error_code;

/// TLS 1.2 or better with the certificate chain and key from files or PEM.
result<std::shared_ptr<ssl::context>> make_server_tls(const http_server_options& o) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  error_code ec;
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                       ssl::context::single_dh_use,
                   ec);
  if (!o.tls_cert_pem.empty())
    ctx->use_certificate_chain(asio::buffer(o.tls_cert_pem), ec);
  else
    ctx->use_certificate_chain_file(o.tls_cert_file, ec);
  if (ec)
    return error{"tls", "certificate: " + ec.message()};
  if (!o.tls_key_pem.empty())
    ctx->use_private_key(asio::buffer(o.tls_key_pem), ssl::context::pem, ec);
  else
    ctx->use_private_key_file(o.tls_key_file, ssl::context::pem, ec);
  if (ec)
    return error{"tls", "private key: " + ec.message()};
  return ctx;
}

class server_impl final : public http_server, public std::enable_shared_from_this<server_impl> {
public:
  server_impl(asio::io_context& io, std::shared_ptr<detail::server_shared> shared)
      : io_(io), shared_(std::move(shared)), acceptor_(asio::make_strand(io)) {}

  status listen() {
    const auto& o = shared_->options;
    error_code ec;
    auto address = asio::ip::make_address(o.bind_address, ec);
    if (ec)
      return error{"bind", "bad bind address '" + o.bind_address + "'"};
    tcp::endpoint ep(address, o.port);
    acceptor_.open(ep.protocol(), ec);
    if (!ec)
      acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec)
      acceptor_.bind(ep, ec);
    if (!ec)
      acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
      return error{"bind", detail::endpoint_string(ep) + ": " + ec.message()};
    port_ = acceptor_.local_endpoint(ec).port();
    return ok_status();
  }

  void do_accept() {
    acceptor_.async_accept(detail::connection_executor(io_),
                           [self = shared_from_this()](error_code ec, tcp::socket socket) {
                             self->on_accept(ec, std::move(socket));
                           });
  }

  uint16_t port() const override { return port_; }
  bool tls() const override { return shared_->tls != nullptr; }

  void stop_accepting() override {
    asio::dispatch(acceptor_.get_executor(), [self = shared_from_this()] {
      error_code ignored;
      self->acceptor_.close(ignored);
    });
  }

  std::size_t open_connections() const override { return shared_->open_connections.load(); }

  void serve_connected(int native_socket) override {
    tcp::socket socket{detail::connection_executor(io_)};
    error_code ec;
    // Asio keeps the descriptor as it is: a socketpair's end works as a
    // stream like a TCP one (only TCP options such as no_delay fail, ignored).
    socket.assign(tcp::v4(), native_socket, ec);
    if (ec) {
      log::warn("Net", "serve_connected: " + ec.message());
      ::close(native_socket);
      return;
    }
    auto ex = socket.get_executor();
    asio::dispatch(ex, [shared = shared_, socket = std::move(socket)]() mutable {
      serve(std::move(socket), shared);
    });
  }

private:
  void on_accept(error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open())
      return; // stop_accepting
    if (ec) {
      // e.g. EMFILE: keep listening; the next accept may succeed.
      log::warn("Net", "accept: " + ec.message());
    } else {
      serve(std::move(socket), shared_);
    }
    do_accept();
  }

  static void serve(tcp::socket socket, const std::shared_ptr<detail::server_shared>& shared) {
    // Small frames (a media frame, then its mark) must not wait for the
    // peer's delayed ACK under Nagle: measured in bench/RESULTS.md.
    error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    detail::start_http_session(std::move(socket), shared);
  }

  asio::io_context& io_;
  std::shared_ptr<detail::server_shared> shared_;
  tcp::acceptor acceptor_;
  uint16_t port_ = 0;
};

} // namespace

result<std::shared_ptr<http_server>>
http_server::start(asio::io_context& io, http_server_options options, http_handlers handlers) {
  auto shared = std::make_shared<detail::server_shared>();
  bool has_cert = !options.tls_cert_pem.empty() || !options.tls_cert_file.empty();
  bool has_key = !options.tls_key_pem.empty() || !options.tls_key_file.empty();
  if (has_cert != has_key)
    return error{"tls", "a TLS certificate needs its key and vice versa"};
  bool want_tls = has_cert;
  if (want_tls) {
    auto ctx = make_server_tls(options);
    if (!ctx)
      return ctx.err();
    shared->tls = std::move(*ctx);
  }
  shared->options = std::move(options);
  shared->handlers = std::move(handlers);
  auto server = std::make_shared<server_impl>(io, shared);
  if (auto s = server->listen(); !s)
    return s.err();
  log::info("Net", std::string("listening on ") + shared->options.bind_address + ":" +
                       std::to_string(server->port()) + (want_tls ? " (TLS)" : ""));
  server->do_accept();
  return std::shared_ptr<http_server>(server);
}

} // namespace sb::net
