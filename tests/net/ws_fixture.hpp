#pragma once
// What the WebSocket tests share (ws_test.cpp, ws_send_test.cpp, and
// tls_test.cpp's connect): a record of what a connection saw, a server whose
// connections a test sets up, a raw client upgraded by hand, and a client
// connection.
#include "net/ws_client.hpp"

#include "net_fixture.hpp"

#include <future>
#include <mutex>
#include <vector>

namespace sb::net::test {

/// Thread-safe record of what a connection saw.
struct recorder {
  std::mutex m;
  std::vector<std::string> frames;
  std::vector<std::string> closes;

  ws_handlers handlers(bool keep_reading = true) {
    return {[this, keep_reading](std::string&& f) {
              std::lock_guard lock(m);
              frames.push_back(std::move(f));
              return keep_reading;
            },
            [this](const std::string& reason) {
              std::lock_guard lock(m);
              closes.push_back(reason);
            }};
  }
  std::size_t frame_count() {
    std::lock_guard lock(m);
    return frames.size();
  }
  std::size_t close_count() {
    std::lock_guard lock(m);
    return closes.size();
  }
  std::string first_close() {
    std::lock_guard lock(m);
    return closes.empty() ? "" : closes[0];
  }
};

/// A WebSocket server whose connections are handled by `setup`.
struct ws_server {
  io_runtime io{2};
  std::shared_ptr<http_server> server;
  std::mutex m;
  std::vector<ws_connection_ptr> conns;

  explicit ws_server(std::function<void(const ws_connection_ptr&)> setup,
                     http_server_options options = {}) {
    http_handlers h;
    h.on_upgrade = [this, setup](const http_request& req,
                                 const ws_connection_ptr& conn) -> std::optional<http_response> {
      if (req.path() == "/forbidden")
        return http_response::text(403, "no");
      setup(conn);
      std::lock_guard lock(m);
      conns.push_back(conn);
      return std::nullopt;
    };
    server = start_server(io, std::move(options), std::move(h));
  }

  /// Its one connection, once upgraded (fails the test if none comes).
  ws_connection_ptr the_connection() {
    BOOST_REQUIRE(eventually([&] {
      std::lock_guard l(m);
      return conns.size() == 1;
    }));
    std::lock_guard l(m);
    return conns[0];
  }

  std::string url(const std::string& path = "/ws") const {
    return "ws://127.0.0.1:" + std::to_string(server->port()) + path;
  }
};

/// Upgrades a raw socket by hand; the raw client then never reads again,
/// so it answers neither pings nor close frames.
void raw_upgrade(raw_client& c) {
  c.send("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
  BOOST_REQUIRE_EQUAL(status_of(c.read_response()), 101);
}

/// One client frame as RFC 6455 5.2 lays it out: FIN, `opcode`, masked with
/// a zero key (so the payload goes as is), payload under 126 bytes.
std::string client_frame(unsigned char opcode, const std::string& payload) {
  std::string f;
  f += static_cast<char>(0x80 | opcode);
  f += static_cast<char>(0x80 | payload.size());
  f += std::string(4, '\0');
  return f + payload;
}

ws_connect_result connect(io_runtime& io, ws_client_options o, ws_handlers h) {
  std::promise<ws_connect_result> p;
  auto f = p.get_future();
  ws_connect(io.context(), std::move(o), std::move(h),
             [&p](ws_connect_result r) { p.set_value(std::move(r)); });
  return await(f);
}

} // namespace sb::net::test
