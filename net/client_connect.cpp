// client_connect: resolve, connect, and TLS (verified) when the URL asks for
// it, all under one deadline; the connected stream is handed to the caller.
#include "net/detail/client_connect.hpp"

#include "net/detail/server_shared.hpp"
#include "net/detail/tls_client.hpp"
#include "net/detail/tls_stream.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/bind_handler.hpp>

namespace sb::net::detail {

client_connection::client_connection() = default;
client_connection::client_connection(client_connection&&) noexcept = default;
client_connection& client_connection::operator=(client_connection&&) noexcept = default;
client_connection::~client_connection() = default;

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::ip::tcp;
using boost::system::error_code;

class connector : public std::enable_shared_from_this<connector> {
public:
  /// `ctx` is null for plain TCP.
  connector(asio::any_io_executor ex, client_target target, std::shared_ptr<asio::ssl::context> ctx,
            std::function<void(client_connection)> done)
      : target_(std::move(target)), ctx_(std::move(ctx)), done_(std::move(done)), resolver_(ex),
        timer_(ex) {
    result_.socket.emplace(ex);
  }

  void run() {
    result_.deadline = std::chrono::steady_clock::now() + target_.timeout;
    timer_.expires_at(result_.deadline);
    timer_.async_wait([self = shared_from_this()](error_code ec) {
      if (ec || self->finished_)
        return;
      self->timed_out_ = true;
      self->resolver_.cancel();
      error_code ignored;
      self->socket().close(ignored);
    });
    resolver_.async_resolve(target_.url.host, target_.url.port,
                            beast::bind_front_handler(&connector::on_resolve, shared_from_this()));
  }

private:
  /// The TCP socket, on its own or under the TLS stream.
  tcp::socket& socket() { return result_.tls ? result_.tls->next_layer() : *result_.socket; }

  void on_resolve(error_code ec, tcp::resolver::results_type results) {
    if (ec)
      return fail("resolve", ec);
    asio::async_connect(*result_.socket, results,
                        beast::bind_front_handler(&connector::on_connect, shared_from_this()));
  }

  void on_connect(error_code ec, const tcp::endpoint& ep) {
    if (ec)
      return fail("connect", ec);
    result_.remote = endpoint_string(ep);
    error_code ignored; // no Nagle: see http_server.cpp on_accept
    result_.socket->set_option(tcp::no_delay(true), ignored);
    if (!ctx_)
      return finish();
    // The SSL object holds its own reference to the SSL_CTX (SSL_new).
    result_.tls = std::make_unique<tls_stream>(std::move(*result_.socket), *ctx_);
    result_.socket.reset();
    if (auto s = configure_client_tls(result_.tls->native_handle(), target_.url.host); !s)
      return finish_error("tls: " + s.err().message);
    result_.tls->async_handshake(asio::ssl::stream_base::client,
                                 beast::bind_front_handler(&connector::on_tls, shared_from_this()));
  }

  void on_tls(error_code ec) {
    if (ec)
      return fail("tls", ec);
    finish();
  }

  void fail(const char* what, error_code ec) {
    finish_error(timed_out_ ? std::string("timeout") : std::string(what) + ": " + ec.message());
  }

  void finish_error(std::string error) {
    error_code ignored;
    socket().close(ignored);
    result_.error = std::move(error);
    result_.socket.reset();
    result_.tls.reset();
    finish();
  }

  void finish() {
    if (finished_)
      return;
    finished_ = true;
    timer_.cancel();
    if (done_)
      done_(std::move(result_));
  }

  client_target target_;
  std::shared_ptr<asio::ssl::context> ctx_;
  std::function<void(client_connection)> done_;
  tcp::resolver resolver_;
  asio::steady_timer timer_;
  client_connection result_;
  bool timed_out_ = false;
  bool finished_ = false;
};

} // namespace

void client_connect(asio::any_io_executor ex, client_target target,
                    std::function<void(client_connection)> done) {
  std::shared_ptr<asio::ssl::context> ctx;
  if (target.url.secure) {
    auto made = make_client_tls_context(target.ca_file, target.ca_pem);
    if (!made) {
      asio::post(ex, [done = std::move(done), error = "tls: " + made.err().message] {
        client_connection failed;
        failed.error = error;
        done(std::move(failed));
      });
      return;
    }
    ctx = std::move(*made);
  }
  std::make_shared<connector>(ex, std::move(target), std::move(ctx), std::move(done))->run();
}

} // namespace sb::net::detail
