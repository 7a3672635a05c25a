// http_server::serve_connected: a socket connected elsewhere (here one end
// of a socketpair, as the fuzz harness uses it) is served exactly like an
// accepted one: keep-alive requests, a closed connection counted down.
#include "net/http_server.hpp"

#define BOOST_TEST_MODULE net_serve_connected
#include "net_fixture.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <string>

using namespace sb::net;
using namespace sb::net::test;

namespace {

/// Reads from a blocking socket with a receive timeout until `text` has
/// arrived, EOF, or the timeout; what arrived.
std::string read_until(int fd, const std::string& text) {
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string got;
  char buf[4096];
  for (int i = 0; i < 256 && got.find(text) == std::string::npos; ++i) {
    auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0)
      break;
    got.append(buf, static_cast<std::size_t>(n));
  }
  return got;
}

struct echo_server {
  io_runtime io{1};
  std::shared_ptr<http_server> server;

  echo_server() {
    http_handlers h;
    h.on_request = [](http_request req, responder respond) {
      respond(http_response::text(200, "echo " + req.target + " " + req.body));
    };
    server = start_server(io, {}, std::move(h));
  }
};

} // namespace

BOOST_AUTO_TEST_CASE(a_socketpair_end_is_served_like_an_accepted_connection) {
  echo_server s;
  int fds[2];
  BOOST_REQUIRE_EQUAL(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
  s.server->serve_connected(fds[1]);
  BOOST_REQUIRE(eventually([&] { return s.server->open_connections() == 1; }));

  const std::string first = "POST /one HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc";
  BOOST_REQUIRE(::send(fds[0], first.data(), first.size(), MSG_NOSIGNAL) ==
                static_cast<ssize_t>(first.size()));
  auto res = read_until(fds[0], "echo /one abc");
  BOOST_CHECK_EQUAL(status_of(res), 200);
  BOOST_CHECK(res.find("echo /one abc") != std::string::npos);

  // Keep-alive: a second request on the same connection, then close.
  const std::string second = "GET /two HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  BOOST_REQUIRE(::send(fds[0], second.data(), second.size(), MSG_NOSIGNAL) ==
                static_cast<ssize_t>(second.size()));
  res = read_until(fds[0], "echo /two ");
  BOOST_CHECK_EQUAL(status_of(res), 200);
  BOOST_CHECK(res.find("Connection: close") != std::string::npos);
  ::close(fds[0]);
  BOOST_CHECK(eventually([&] { return s.server->open_connections() == 0; }));
}

BOOST_AUTO_TEST_CASE(a_malformed_request_on_a_served_socket_gets_400_and_a_close) {
  echo_server s;
  int fds[2];
  BOOST_REQUIRE_EQUAL(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
  s.server->serve_connected(fds[1]);
  const std::string junk = "NOT HTTP AT ALL\r\n\r\n";
  BOOST_REQUIRE(::send(fds[0], junk.data(), junk.size(), MSG_NOSIGNAL) ==
                static_cast<ssize_t>(junk.size()));
  auto res = read_until(fds[0], "\r\n\r\n");
  BOOST_CHECK_EQUAL(status_of(res), 400);
  BOOST_CHECK(eventually([&] { return s.server->open_connections() == 0; }));
  ::close(fds[0]);
}
