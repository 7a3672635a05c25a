#pragma once
// What the listener and its connections share. Internal to net/.

#include "net/http_server.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <atomic>
#include <memory>
#include <string>

namespace sb::net::detail {

struct server_shared {
  http_server_options options;
  http_handlers handlers;
  std::shared_ptr<boost::asio::ssl::context> tls; ///< null: plain HTTP
  std::atomic<std::size_t> open_connections{0};
};

/// Serves one accepted connection (HTTP, then maybe WebSocket) on the
/// socket's executor, which must be a strand.
void start_http_session(boost::asio::ip::tcp::socket socket, std::shared_ptr<server_shared> shared);

/// "127.0.0.1:54321" / "[::1]:54321".
inline std::string endpoint_string(const boost::asio::ip::tcp::endpoint& ep) {
  auto a = ep.address();
  std::string host = a.is_v6() ? "[" + a.to_string() + "]" : a.to_string();
  return host + ":" + std::to_string(ep.port());
}

} // namespace sb::net::detail
