#pragma once
// The connect step both clients share (http_client, ws_client): resolve the
// URL's host, connect over TCP, and for https:// and wss:// do the TLS
// handshake on tls_stream with SNI and certificate and host name checks
// (tls_client.hpp), all before one deadline. What comes after (the request,
// the upgrade) is the caller's, under the same deadline. Internal to net/.

#include "net/detail/url_parts.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace sb::net::detail {

class tls_stream;

/// Where a client connects and whom it trusts.
struct client_target {
  url_parts url;       ///< host, port, and whether TLS is on (`secure`)
  std::string ca_file; ///< extra trusted CA (PEM file), TLS only
  std::string ca_pem;  ///< or PEM text
  /// For the connect and what the caller does after it: the deadline is
  /// set once the TLS context is ready, before resolving.
  std::chrono::milliseconds timeout{5'000};
};

/// A connected stream, or why there is none. On success exactly one of
/// `socket` (plain) and `tls` (handshake done) is set.
struct client_connection {
  client_connection();
  client_connection(client_connection&&) noexcept;
  client_connection& operator=(client_connection&&) noexcept;
  ~client_connection();

  /// One line: "resolve: ...", "connect: ...", "tls: ..." (a bad CA, the
  /// handshake, e.g. "tls: certificate verify failed ...") or "timeout".
  std::string error;
  std::string remote; ///< the peer, "127.0.0.1:443" / "[::1]:443"
  /// When the caller's time is up too (the start plus `timeout`).
  std::chrono::steady_clock::time_point deadline;
  std::optional<boost::asio::ip::tcp::socket> socket;
  std::unique_ptr<tls_stream> tls;
};

/// Connects on `ex` (the connection's executor); `done` runs once, on `ex`,
/// never from inside this call.
void client_connect(boost::asio::any_io_executor ex, client_target target,
                    std::function<void(client_connection)> done);

} // namespace sb::net::detail
