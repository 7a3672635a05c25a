#pragma once
// The HTTP(S) server: webhooks and WebSocket upgrades (Boost.Beast behind a
// plain header). Routing is the caller's: net/ knows no routes and no actors.

#include "net/http_types.hpp"
#include "net/ws_connection.hpp"

#include "common/result.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace boost::asio {
class io_context;
}

namespace sb::net {

struct http_server_options {
  std::string bind_address = "127.0.0.1";
  uint16_t port = 0;         ///< 0: an ephemeral port (see http_server::port())
  std::string tls_cert_file; ///< PEM; with tls_key_file the server speaks TLS
  std::string tls_key_file;
  std::string tls_cert_pem; ///< or the PEM text itself (tests, the simulated peer)
  std::string tls_key_pem;
  std::size_t max_header_bytes = 8 * 1024;        ///< larger: 431
  std::size_t max_body_bytes = 64 * 1024;         ///< larger: 413
  std::chrono::milliseconds read_timeout{10'000}; ///< whole request; slow client: 408 and closed
  ws_limits ws;                                   ///< for upgraded connections
};

struct http_handlers {
  /// Every complete, well-formed non-upgrade request. Runs on an io thread:
  /// answer quickly or hand the responder to someone else. Malformed requests
  /// (bad request line, oversized, timeouts) are answered by the server itself
  /// and never reach here.
  std::function<void(http_request req, responder respond)> on_request;

  /// A WebSocket upgrade request. Return std::nullopt to accept: before
  /// returning, the handler must have given `conn` its handlers
  /// (conn->set_handlers); reading starts after the handshake. Return a
  /// response to refuse (e.g. 403); the socket is then closed.
  std::function<std::optional<http_response>(const http_request& req,
                                             const ws_connection_ptr& conn)>
      on_upgrade;
};

class http_server {
public:
  /// Binds and listens. Errors: {"bind", ...}, {"tls", ...} (bad cert/key).
  static result<std::shared_ptr<http_server>>
  start(boost::asio::io_context& io, http_server_options options, http_handlers handlers);
  virtual ~http_server() = default;

  virtual uint16_t port() const = 0;
  virtual bool tls() const = 0;

  /// Stops accepting new connections (in-flight requests and open WebSockets
  /// continue); thread-safe.
  virtual void stop_accepting() = 0;

  /// Number of open connections (HTTP and WebSocket).
  virtual std::size_t open_connections() const = 0;

  /// Serves an already-connected stream socket (a native descriptor, now the
  /// server's to close) exactly as an accepted connection: HTTP, TLS if the
  /// server speaks it, WebSocket upgrades. For the fuzz targets, which hand
  /// it one end of a socketpair per input (fuzz/server_harness.hpp) instead
  /// of a loopback connect. Thread-safe.
  virtual void serve_connected(int native_socket) = 0;
};

} // namespace sb::net
