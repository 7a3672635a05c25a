#include "net/test_ca.hpp"

#define BOOST_TEST_MODULE net_tls
#include "net/http_client.hpp"
#include "net/ws_client.hpp"
#include "ws_fixture.hpp"

#include <atomic>
#include <mutex>
#include <thread>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace sb::net;
using namespace sb::net::test;

namespace {

/// A TLS server (cert from a fresh test CA) that echoes WebSocket frames and
/// answers HTTP requests with "method path body".
struct tls_server {
  pem_pair ca = make_test_ca("switchboard test CA");
  io_runtime io{2};
  std::shared_ptr<http_server> server;
  std::atomic<int> server_closes{0};
  std::mutex conns_mutex;
  std::vector<ws_connection_ptr> conns; ///< the server's side of each WebSocket

  explicit tls_server(std::vector<std::string> dns = {"localhost"},
                      std::vector<std::string> ips = {"127.0.0.1"}) {
    auto cert = make_server_cert(ca, dns, ips);
    http_server_options o;
    o.tls_cert_pem = cert.cert_pem;
    o.tls_key_pem = cert.key_pem;
    http_handlers h;
    h.on_request = [](http_request req, responder respond) {
      respond(http_response::json(201, req.method + " " + req.target + " " + req.body));
    };
    h.on_upgrade = [this](const http_request&,
                          const ws_connection_ptr& conn) -> std::optional<http_response> {
      {
        std::lock_guard lock(conns_mutex);
        conns.push_back(conn);
      }
      ws_handlers wh;
      wh.on_close = [this](const std::string&) { ++server_closes; };
      wh.on_text = [weak = std::weak_ptr<ws_connection>(conn)](std::string&& f) {
        if (auto c = weak.lock())
          c->send_text("echo " + f);
        return true;
      };
      conn->set_handlers(std::move(wh));
      return std::nullopt;
    };
    server = start_server(io, std::move(o), std::move(h));
  }

  std::string url(const std::string& scheme, const std::string& host) const {
    return scheme + "://" + host + ":" + std::to_string(server->port()) + "/path?q=1";
  }
};

ws_connect_result connect_within(ws_client_options o, std::chrono::milliseconds timeout) {
  io_runtime io{1};
  std::promise<ws_connect_result> p;
  auto f = p.get_future();
  ws_connect(io.context(), std::move(o), {},
             [&p](ws_connect_result r) { p.set_value(std::move(r)); });
  return await(f, timeout);
}

http_client_result send(io_runtime& io, http_client_request req) {
  std::promise<http_client_result> p;
  auto f = p.get_future();
  http_send(io.context(), std::move(req),
            [&p](http_client_result r) { p.set_value(std::move(r)); });
  return await(f);
}

/// A socket listening on 127.0.0.1 at a port the kernel chose.
struct loopback_listener {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  int port = 0;

  loopback_listener() {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    BOOST_REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    BOOST_REQUIRE(::listen(fd, 4) == 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
  }
  ~loopback_listener() { ::close(fd); }
};

/// A loopback listener that accepts one connection, writes `reply` (may be
/// empty) and closes it: a peer that does not speak TLS.
struct raw_peer : loopback_listener {
  std::thread thread;

  explicit raw_peer(std::string reply) {
    thread = std::thread([this, reply = std::move(reply)] {
      int c = ::accept(fd, nullptr, nullptr);
      if (c < 0)
        return;
      char hello[512];
      (void)::recv(c, hello, sizeof hello, 0); // the ClientHello
      if (!reply.empty())
        (void)::send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
      ::close(c);
    });
  }
  ~raw_peer() {
    ::shutdown(fd, SHUT_RDWR);
    thread.join();
  }
};

/// Text frames received by a client, and its on_close reason.
struct received {
  std::mutex m;
  std::vector<std::string> frames;
  std::optional<std::string> closed;

  ws_handlers handlers() {
    ws_handlers h;
    h.on_text = [this](std::string&& f) {
      std::lock_guard lock(m);
      frames.push_back(std::move(f));
      return true;
    };
    h.on_close = [this](const std::string& reason) {
      std::lock_guard lock(m);
      closed = reason;
    };
    return h;
  }
  std::size_t count() {
    std::lock_guard lock(m);
    return frames.size();
  }
  bool is_closed() {
    std::lock_guard lock(m);
    return closed.has_value();
  }
};

} // namespace

BOOST_AUTO_TEST_CASE(makes_pem_certificates) {
  auto ca = make_test_ca("ca");
  BOOST_CHECK(ca.cert_pem.rfind("-----BEGIN CERTIFICATE-----", 0) == 0);
  BOOST_CHECK(ca.key_pem.find("PRIVATE KEY-----") != std::string::npos);
  auto cert = make_server_cert(ca, {"localhost"}, {"127.0.0.1"});
  BOOST_CHECK(cert.cert_pem.rfind("-----BEGIN CERTIFICATE-----", 0) == 0);
  BOOST_CHECK(cert.cert_pem != ca.cert_pem);
}

BOOST_AUTO_TEST_CASE(wss_works_with_the_test_ca_by_name_and_by_ip) {
  tls_server s;
  BOOST_CHECK(s.server->tls());
  for (std::string host : {"localhost", "127.0.0.1"}) {
    std::mutex m;
    std::vector<std::string> got;
    ws_client_options o;
    o.url = s.url("wss", host);
    o.ca_pem = s.ca.cert_pem;
    ws_handlers h;
    h.on_text = [&](std::string&& f) {
      std::lock_guard lock(m);
      got.push_back(f);
      return true;
    };
    auto r = connect(s.io, o, h);
    BOOST_REQUIRE_MESSAGE(r.conn, host + ": " + r.error);
    r.conn->send_text("one");
    r.conn->send_text("two");
    BOOST_REQUIRE(eventually([&] {
      std::lock_guard l(m);
      return got.size() == 2;
    }));
    std::lock_guard lock(m);
    BOOST_CHECK_EQUAL(got[0], "echo one");
    BOOST_CHECK_EQUAL(got[1], "echo two");
    r.conn->close();
  }
}

// Switchboard's TLS stream (net/tls_stream.cpp) at both ends (against
// Asio's: tls_interop_test.cpp): frames across record and read-buffer edges
// (Beast reads 4 KiB at a time, a record holds up to 16 KiB), and many
// small ones in a row, arrive whole and in order both ways.
BOOST_AUTO_TEST_CASE(wss_carries_large_and_many_frames) {
  tls_server s;
  ws_client_options o;
  o.url = s.url("wss", "localhost");
  o.ca_pem = s.ca.cert_pem;
  received got;
  auto r = connect(s.io, o, got.handlers());
  BOOST_REQUIRE_MESSAGE(r.conn, r.error);
  std::vector<std::string> sent;
  for (std::size_t size : {1, 4095, 4097, 16379, 16385, 40000, 60000}) {
    std::string f(size, '\0');
    for (std::size_t i = 0; i < size; ++i)
      f[i] = static_cast<char>('a' + (i * 7 + size) % 26);
    sent.push_back(f);
  }
  for (int i = 0; i < 300; ++i)
    sent.push_back("small frame " + std::to_string(i) + std::string(300, 'x'));
  for (const auto& f : sent)
    r.conn->send_text(f);
  BOOST_REQUIRE(eventually([&] { return got.count() == sent.size(); }, 10000ms));
  std::lock_guard lock(got.m);
  for (std::size_t i = 0; i < sent.size(); ++i)
    BOOST_REQUIRE_MESSAGE(got.frames[i] == "echo " + sent[i], "frame " << i);
  BOOST_CHECK(!got.closed);
}

BOOST_AUTO_TEST_CASE(wss_close_from_either_side_ends_both) {
  tls_server s;
  ws_client_options o;
  o.url = s.url("wss", "localhost");
  o.ca_pem = s.ca.cert_pem;

  received first; // the client closes: close frame, close_notify, TCP teardown
  auto a = connect(s.io, o, first.handlers());
  BOOST_REQUIRE_MESSAGE(a.conn, a.error);
  a.conn->send_text("hello");
  BOOST_REQUIRE(eventually([&] { return first.count() == 1; }));
  a.conn->close();
  BOOST_REQUIRE(eventually([&] { return first.is_closed() && s.server_closes == 1; }));
  BOOST_CHECK_EQUAL(*first.closed, ""); // a normal close, no error

  received second; // the server closes
  auto b = connect(s.io, o, second.handlers());
  BOOST_REQUIRE_MESSAGE(b.conn, b.error);
  b.conn->send_text("hello");
  BOOST_REQUIRE(eventually([&] { return second.count() == 1; }));
  {
    std::lock_guard lock(s.conns_mutex);
    BOOST_REQUIRE_EQUAL(s.conns.size(), 2u);
    s.conns[1]->close();
  }
  BOOST_REQUIRE(eventually([&] { return second.is_closed() && s.server_closes == 2; }));
  BOOST_CHECK_EQUAL(*second.closed, "");
}

BOOST_AUTO_TEST_CASE(wss_to_a_peer_that_does_not_speak_tls_fails_clearly) {
  for (std::string reply : {std::string("HTTP/1.1 400 Bad Request\r\n\r\n"), std::string()}) {
    raw_peer peer(reply);
    ws_client_options o;
    o.url = "wss://127.0.0.1:" + std::to_string(peer.port) + "/";
    o.ca_pem = make_test_ca("ca").cert_pem;
    o.connect_timeout = 3000ms;
    auto r = connect_within(o, 4000ms);
    BOOST_CHECK(!r.conn);
    BOOST_TEST_MESSAGE("peer replying " << reply.size() << " bytes: " << r.error);
    BOOST_CHECK_MESSAGE(r.error.find("tls: ") == 0, r.error); // not a timeout
    if (!reply.empty())
      BOOST_CHECK_MESSAGE(r.error.find("wrong version number") != std::string::npos, r.error);
  }
}

BOOST_AUTO_TEST_CASE(wss_rejects_an_untrusted_certificate) {
  tls_server s;
  ws_client_options o;
  o.url = s.url("wss", "localhost"); // no ca_pem: the system store does not know the test CA
  auto r = connect(s.io, o, {});
  BOOST_CHECK(!r.conn);
  BOOST_CHECK_MESSAGE(r.error.find("tls: ") == 0, r.error);
  BOOST_CHECK_MESSAGE(r.error.find("certificate verify failed") != std::string::npos, r.error);
}

BOOST_AUTO_TEST_CASE(wss_rejects_a_certificate_for_another_host) {
  tls_server s({"other.example"}, {}); // valid chain, wrong names
  ws_client_options o;
  o.ca_pem = s.ca.cert_pem;
  for (std::string host : {"localhost", "127.0.0.1"}) {
    o.url = s.url("wss", host);
    auto r = connect(s.io, o, {});
    BOOST_CHECK(!r.conn);
    BOOST_CHECK_MESSAGE(r.error.find("certificate verify failed") != std::string::npos, r.error);
  }
}

BOOST_AUTO_TEST_CASE(wss_connect_times_out_on_a_silent_server) {
  io_runtime io{1};
  // A listener that accepts (kernel backlog) but never speaks TLS.
  auto ca = make_test_ca("ca");
  loopback_listener silent;
  ws_client_options o;
  o.url = "wss://127.0.0.1:" + std::to_string(silent.port) + "/";
  o.ca_pem = ca.cert_pem;
  o.connect_timeout = 300ms;
  auto r = connect(io, o, {});
  BOOST_CHECK(!r.conn);
  BOOST_CHECK_EQUAL(r.error, "timeout");
}

BOOST_AUTO_TEST_CASE(http_send_posts_over_plain_http) {
  io_runtime io{2};
  http_handlers h;
  h.on_request = [](http_request req, responder respond) {
    auto r = http_response::text(202, req.method + " " + req.target + " " + req.body + " " +
                                          req.header("content-type"));
    r.headers.emplace_back("X-Reply", "yes");
    respond(std::move(r));
  };
  auto server = start_server(io, {}, std::move(h));
  http_client_request req;
  req.url = "http://127.0.0.1:" + std::to_string(server->port()) + "/hook?a=b";
  req.body = "{\"k\":1}";
  auto r = send(io, req);
  BOOST_CHECK_MESSAGE(r.error.empty(), r.error);
  BOOST_CHECK_EQUAL(r.status, 202);
  BOOST_CHECK_EQUAL(r.body, "POST /hook?a=b {\"k\":1} application/json");
  bool found = false;
  for (auto& [k, v] : r.headers)
    found = found || (k == "X-Reply" && v == "yes");
  BOOST_CHECK(found);
}

BOOST_AUTO_TEST_CASE(http_send_posts_over_verified_https) {
  tls_server s;
  http_client_request req;
  req.url = s.url("https", "localhost");
  req.body = "hi";
  req.ca_pem = s.ca.cert_pem;
  auto r = send(s.io, req);
  BOOST_CHECK_MESSAGE(r.error.empty(), r.error);
  BOOST_CHECK_EQUAL(r.status, 201);
  BOOST_CHECK_EQUAL(r.body, "POST /path?q=1 hi");

  req.ca_pem.clear();
  r = send(s.io, req);
  BOOST_CHECK_EQUAL(r.status, 0);
  BOOST_CHECK_MESSAGE(r.error.find("certificate verify failed") != std::string::npos, r.error);
}

// http_send connects as ws_connect does: the same one-line errors, and one
// deadline over the connect, the TLS handshake and the exchange.
BOOST_AUTO_TEST_CASE(http_send_reports_connect_errors_and_timeouts) {
  io_runtime io{1};
  http_client_request req;
  req.url = "http://127.0.0.1:1/"; // nothing listens on port 1
  auto r = send(io, req);
  BOOST_CHECK_EQUAL(r.status, 0);
  BOOST_CHECK_MESSAGE(r.error.find("connect: ") == 0, r.error);

  req.url = "https://127.0.0.1:1/";
  req.ca_pem = "not a certificate";
  r = send(io, req);
  BOOST_CHECK_EQUAL(r.error, "tls: ca_pem holds no certificate");

  // A listener that accepts (kernel backlog) but never answers: http waits
  // for a response, https for the server's handshake.
  loopback_listener silent;
  req.ca_pem = make_test_ca("ca").cert_pem;
  req.timeout = 300ms;
  for (std::string scheme : {"http", "https"}) {
    req.url = scheme + "://127.0.0.1:" + std::to_string(silent.port) + "/";
    r = send(io, req);
    BOOST_CHECK_EQUAL(r.status, 0);
    BOOST_CHECK_MESSAGE(r.error == "timeout", scheme + ": " + r.error);
  }
}

// The server's side of tls_stream: a client that speaks plain HTTP to the
// TLS port gets its connection closed (after a TLS alert), and the server
// goes on serving.
BOOST_AUTO_TEST_CASE(tls_server_closes_a_plain_http_client_and_keeps_serving) {
  tls_server s;
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(s.server->port()));
  BOOST_REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  timeval tv{3, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string get = "GET /path HTTP/1.1\r\nHost: localhost\r\n\r\n";
  BOOST_REQUIRE(::send(fd, get.data(), get.size(), MSG_NOSIGNAL) ==
                static_cast<ssize_t>(get.size()));
  std::string got;
  char buf[256];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0)
    got.append(buf, static_cast<std::size_t>(n));
  BOOST_CHECK_MESSAGE(n == 0 || errno == ECONNRESET, "closed within 3 s"); // not EAGAIN
  BOOST_CHECK(got.find("HTTP/1.1") == std::string::npos);                  // no plain answer
  ::close(fd);

  http_client_request req;
  req.url = s.url("https", "localhost");
  req.ca_pem = s.ca.cert_pem;
  auto r = send(s.io, req);
  BOOST_CHECK_MESSAGE(r.error.empty(), r.error);
  BOOST_CHECK_EQUAL(r.status, 201);
}

BOOST_AUTO_TEST_CASE(server_refuses_a_certificate_without_its_key) {
  io_runtime io{1};
  http_server_options o;
  o.tls_cert_pem = make_test_ca("ca").cert_pem;
  auto r = http_server::start(io.context(), o, {});
  BOOST_REQUIRE(!r.ok());
  BOOST_CHECK_EQUAL(r.err().code, "tls");
  o.tls_key_pem = "not a key";
  r = http_server::start(io.context(), o, {});
  BOOST_REQUIRE(!r.ok());
  BOOST_CHECK_EQUAL(r.err().code, "tls");
}
