#pragma once
// WebSocket client, ws:// or wss:// (TLS with certificate and host name
// verification against the system store plus an optional CA file). Plain
// ws:// is accepted only for loopback hosts (127.0.0.0/8, ::1, localhost).

#include "common/result.hpp"
#include "net/http_types.hpp"
#include "net/ws_connection.hpp"

#include <chrono>
#include <functional>
#include <string>

namespace boost::asio {
class io_context;
}

namespace sb::net {

struct ws_client_options {
  std::string url;                                  ///< ws://host:port/path?query or wss://...
  header_list headers;                              ///< e.g. Authorization (never logged)
  std::string ca_file;                              ///< extra trusted CA (PEM file)
  std::string ca_pem;                               ///< or PEM text
  std::chrono::milliseconds connect_timeout{5'000}; ///< resolve+connect+TLS+upgrade
  ws_limits limits;
};

/// What the handshake ended with. On failure `conn` is null and `error` is one
/// line: "refused: plain ws:// to a non-loopback host", "resolve: ...",
/// "connect: ...", "tls: certificate verify failed ...", "handshake: HTTP 401
/// ...", "timeout".
struct ws_connect_result {
  ws_connection_ptr conn;
  std::string error;
  int http_status = 0; ///< status of a refused upgrade, if any
};

/// Connects asynchronously; `done` runs once on an io thread. `handlers` are
/// installed before the first read, so no frame can be missed.
void ws_connect(boost::asio::io_context& io, ws_client_options options, ws_handlers handlers,
                std::function<void(ws_connect_result)> done);

/// Builds the TLS trust store that wss:// connections with these CA options
/// share (net/tls_client.cpp), now: the server calls it at start, so a bad
/// CA file is reported before the first call and the first call does not
/// pay for loading the system store (~80 ms of CPU on this machine, once).
status prepare_tls_client(const std::string& ca_file, const std::string& ca_pem = {});

/// True for 127.0.0.0/8, ::1 and "localhost".
bool is_loopback_host(const std::string& host);

} // namespace sb::net
