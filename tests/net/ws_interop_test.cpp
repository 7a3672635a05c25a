// Switchboard's own WebSocket framing (net/ws_frame.cpp, net/ws_session.cpp)
// against another implementation, Beast's websocket::stream, over plain TCP
// on loopback: our server with a Beast client (Twilio's side of a Media
// Stream) and our client with a Beast server (OpenAI's side). Fragments,
// pings between them, frames of every length form, and both closing
// handshakes. tls_interop_test.cpp does the same over TLS.
#define BOOST_TEST_MODULE net_ws_interop
#include "ws_fixture.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <sys/socket.h>

#include <thread>

using namespace sb::net;
using namespace sb::net::test;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

/// Messages of each length form (7-bit, 16-bit, 64-bit) and some small ones.
std::vector<std::string> messages() {
  std::vector<std::string> m;
  for (std::size_t size : {0, 1, 125, 126, 4097, 65535, 65536, 70000})
    m.push_back(std::string(size, static_cast<char>('a' + size % 26)));
  for (int i = 0; i < 30; ++i)
    m.push_back("small " + std::to_string(i) + " caf\xC3\xA9");
  return m;
}

/// A socket whose blocking reads give up after 5 s, so a peer that stalls
/// fails the test instead of hanging it.
void bound_reads(tcp::socket& s) {
  timeval tv{5, 0};
  ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

http_server_options big_frames() {
  http_server_options o;
  o.ws.max_frame_bytes = 128 * 1024;
  return o;
}

} // namespace

BOOST_AUTO_TEST_CASE(our_server_echoes_a_beast_client_and_completes_its_close) {
  recorder server_side;
  ws_server s(
      [&](const ws_connection_ptr& conn) {
        auto h = server_side.handlers();
        auto record = h.on_text;
        std::weak_ptr<ws_connection> weak = conn;
        h.on_text = [record, weak](std::string&& f) {
          if (auto c = weak.lock())
            c->send_text("echo " + f);
          return record(std::move(f));
        };
        conn->set_handlers(std::move(h));
      },
      big_frames());
  const auto sent = messages();

  asio::io_context ioc;
  tcp::socket socket(ioc);
  socket.connect({asio::ip::make_address("127.0.0.1"), s.server->port()});
  bound_reads(socket);
  websocket::stream<tcp::socket> ws(std::move(socket));
  ws.read_message_max(256 * 1024);
  ws.handshake("127.0.0.1", "/ws");
  int pongs = 0;
  ws.control_callback([&](websocket::frame_type kind, beast::string_view) {
    if (kind == websocket::frame_type::pong)
      ++pongs;
  });
  ws.text(true);
  // The first message in three parts, a ping between the second and third.
  ws.write_some(false, asio::buffer(std::string("Hel")));
  ws.write_some(false, asio::buffer(std::string("lo, ")));
  ws.ping("are you there");
  ws.write_some(true, asio::buffer(std::string("world")));
  for (const auto& m : sent)
    ws.write(asio::buffer(m));

  std::vector<std::string> got;
  for (std::size_t i = 0; i < sent.size() + 1; ++i) {
    beast::flat_buffer b;
    ws.read(b); // the pong comes in before the first echo
    got.push_back(beast::buffers_to_string(b.data()));
  }
  BOOST_CHECK_EQUAL(pongs, 1);
  BOOST_REQUIRE_EQUAL(got.size(), sent.size() + 1);
  BOOST_CHECK_EQUAL(got[0], "echo Hello, world");
  for (std::size_t i = 0; i < sent.size(); ++i)
    BOOST_CHECK_MESSAGE(got[i + 1] == "echo " + sent[i], "message " << i);

  // Beast's close returns once our close frame answered its own and the
  // server closed TCP first (RFC 6455 7.1.1); it throws otherwise.
  BOOST_CHECK_NO_THROW(ws.close(websocket::close_code::normal));
  BOOST_REQUIRE(eventually([&] { return server_side.close_count() == 1; }));
  BOOST_CHECK_EQUAL(server_side.first_close(), ""); // a normal end
  BOOST_CHECK(eventually([&] { return s.server->open_connections() == 0; }));
}

BOOST_AUTO_TEST_CASE(our_server_closes_a_beast_client_with_1009_for_a_frame_too_large) {
  recorder server_side;
  http_server_options o;
  o.ws.max_frame_bytes = 1024;
  ws_server s([&](const ws_connection_ptr& conn) { conn->set_handlers(server_side.handlers()); },
              o);
  asio::io_context ioc;
  tcp::socket socket(ioc);
  socket.connect({asio::ip::make_address("127.0.0.1"), s.server->port()});
  bound_reads(socket);
  websocket::stream<tcp::socket> ws(std::move(socket));
  ws.handshake("127.0.0.1", "/ws");
  ws.write(asio::buffer(std::string("fits")));
  ws.write(asio::buffer(std::string(2000, 'x')));
  beast::flat_buffer b;
  beast::error_code ec;
  ws.read(b, ec);
  BOOST_CHECK(ec == websocket::error::closed);
  BOOST_CHECK_EQUAL(ws.reason().code, 1009);
  BOOST_REQUIRE(eventually([&] { return server_side.close_count() == 1; }));
  BOOST_CHECK_EQUAL(server_side.first_close(), "frame too large");
  BOOST_CHECK_EQUAL(server_side.frame_count(), 1u); // "fits" was delivered
}

BOOST_AUTO_TEST_CASE(our_client_talks_to_a_beast_server_and_answers_its_close) {
  asio::io_context ioc;
  tcp::acceptor acceptor{ioc, {asio::ip::make_address("127.0.0.1"), 0}};
  const auto sent = messages();
  std::string server_error;
  std::vector<std::string> server_got;
  std::thread server([&] {
    try {
      tcp::socket socket(ioc);
      acceptor.accept(socket);
      bound_reads(socket);
      websocket::stream<tcp::socket> ws(std::move(socket));
      ws.read_message_max(256 * 1024);
      ws.accept();
      ws.text(true);
      // Sent before anything is read: the first frames may arrive together
      // with the 101, and must not be lost.
      ws.write(asio::buffer(std::string("welcome")));
      ws.ping("");
      ws.write_some(false, asio::buffer(std::string("in ")));
      ws.write_some(true, asio::buffer(std::string("parts")));
      for (std::size_t i = 0; i < sent.size(); ++i) {
        beast::flat_buffer b;
        ws.read(b);
        server_got.push_back(beast::buffers_to_string(b.data()));
      }
      ws.close(websocket::close_code::going_away);
    } catch (const std::exception& e) {
      server_error = e.what();
    }
  });

  io_runtime io{1};
  recorder client_side;
  ws_client_options o;
  o.url = "ws://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port()) + "/";
  o.limits.max_frame_bytes = 128 * 1024;
  auto r = connect(io, o, client_side.handlers());
  BOOST_REQUIRE_MESSAGE(r.conn, r.error);
  for (const auto& m : sent)
    r.conn->send_text(m);
  BOOST_REQUIRE(eventually([&] { return client_side.close_count() == 1; }, 10s));
  server.join();
  BOOST_CHECK_MESSAGE(server_error.empty(), "server: " + server_error);
  BOOST_CHECK_EQUAL(client_side.first_close(), ""); // the server's close is a normal end
  {
    std::lock_guard lock(client_side.m);
    BOOST_REQUIRE_EQUAL(client_side.frames.size(), 2u);
    BOOST_CHECK_EQUAL(client_side.frames[0], "welcome");
    BOOST_CHECK_EQUAL(client_side.frames[1], "in parts");
  }
  BOOST_REQUIRE_EQUAL(server_got.size(), sent.size()); // our masked frames, read by Beast
  for (std::size_t i = 0; i < sent.size(); ++i)
    BOOST_CHECK_MESSAGE(server_got[i] == sent[i], "message " << i);
}
