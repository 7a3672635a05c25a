// WebSocket connections (net/ws_client.hpp, net/ws_session.cpp): the
// upgrade and its refusals, reading (oversized and binary frames, pausing),
// closing (normally, on idle timeout, by abort, when the peer vanishes).
// Sending is in ws_send_test.cpp.
#include "tests/common/log_capture.hpp"

#define BOOST_TEST_MODULE net_ws
#include "ws_fixture.hpp"

using namespace sb::net;
using namespace sb::net::test;

BOOST_AUTO_TEST_CASE(echoes_frames_in_order_and_closes_normally) {
  recorder server_side;
  ws_server s([&](const ws_connection_ptr& conn) {
    auto h = server_side.handlers();
    auto record = h.on_text;
    h.on_text = [record, weak = std::weak_ptr<ws_connection>(conn)](std::string&& f) {
      if (auto c = weak.lock())
        c->send_text(f);
      return record(std::move(f));
    };
    conn->set_handlers(std::move(h));
  });
  recorder client_side;
  ws_client_options o;
  o.url = s.url();
  o.headers = {{"Authorization", "Bearer secret"}};
  auto r = connect(s.io, o, client_side.handlers());
  BOOST_REQUIRE_MESSAGE(r.conn, r.error);
  for (int i = 0; i < 100; ++i)
    r.conn->send_text("frame " + std::to_string(i));
  BOOST_REQUIRE(eventually([&] { return client_side.frame_count() == 100; }));
  {
    std::lock_guard lock(client_side.m);
    for (int i = 0; i < 100; ++i)
      BOOST_CHECK_EQUAL(client_side.frames[i], "frame " + std::to_string(i));
  }
  BOOST_CHECK_EQUAL(s.server->open_connections(), 1u);
  r.conn->close();
  BOOST_REQUIRE(eventually([&] { return client_side.close_count() == 1; }));
  BOOST_REQUIRE(eventually([&] { return server_side.close_count() == 1; }));
  BOOST_CHECK_EQUAL(client_side.first_close(), "");
  BOOST_CHECK_EQUAL(server_side.first_close(), "");
  BOOST_CHECK(eventually([&] { return s.server->open_connections() == 0; }));
}

BOOST_AUTO_TEST_CASE(reports_the_status_of_a_refused_upgrade) {
  ws_server s([](const ws_connection_ptr&) {});
  ws_client_options o;
  o.url = s.url("/forbidden");
  recorder client_side;
  auto r = connect(s.io, o, client_side.handlers());
  BOOST_CHECK(!r.conn);
  BOOST_CHECK_EQUAL(r.http_status, 403);
  BOOST_CHECK_MESSAGE(r.error.find("handshake: HTTP 403") == 0, r.error);
}

BOOST_AUTO_TEST_CASE(closes_on_an_oversized_frame_with_frame_too_large) {
  recorder server_side;
  http_server_options opts;
  opts.ws.max_frame_bytes = 1024;
  ws_server s([&](const ws_connection_ptr& conn) { conn->set_handlers(server_side.handlers()); },
              opts);
  recorder client_side;
  ws_client_options o;
  o.url = s.url();
  auto r = connect(s.io, o, client_side.handlers());
  BOOST_REQUIRE_MESSAGE(r.conn, r.error);
  r.conn->send_text("small");
  r.conn->send_text(std::string(4096, 'x'));
  BOOST_REQUIRE(eventually([&] { return server_side.close_count() == 1; }));
  BOOST_CHECK_EQUAL(server_side.first_close(), "frame too large");
  BOOST_CHECK_EQUAL(server_side.frame_count(), 1u);
  BOOST_CHECK(eventually([&] { return client_side.close_count() == 1; }));
}

BOOST_AUTO_TEST_CASE(pauses_reading_until_resumed) {
  ws_server s([](const ws_connection_ptr& conn) {
    // Queued before the handshake completes: sent right after it.
    for (int i = 0; i < 5; ++i)
      conn->send_text("f" + std::to_string(i));
  });
  recorder client_side;
  ws_client_options o;
  o.url = s.url();
  auto r = connect(s.io, o, client_side.handlers(/*keep_reading=*/false));
  BOOST_REQUIRE_MESSAGE(r.conn, r.error);
  BOOST_REQUIRE(eventually([&] { return client_side.frame_count() == 1; }));
  std::this_thread::sleep_for(200ms);
  BOOST_CHECK_EQUAL(client_side.frame_count(), 1u);
  for (std::size_t n = 2; n <= 5; ++n) {
    r.conn->resume_reading();
    BOOST_REQUIRE(eventually([&] { return client_side.frame_count() == n; }));
  }
  std::lock_guard lock(client_side.m);
  BOOST_CHECK_EQUAL(client_side.frames[4], "f4");
}

BOOST_AUTO_TEST_CASE(calls_on_close_exactly_once_when_the_peer_vanishes) {
  recorder server_side;
  ws_server s([&](const ws_connection_ptr& conn) {
    conn->set_handlers(server_side.handlers());
    conn->send_text("hello");
  });
  raw_client c(s.server->port());
  raw_upgrade(c);
  c.abort();
  BOOST_REQUIRE(eventually([&] { return server_side.close_count() >= 1; }));
  std::this_thread::sleep_for(300ms);
  BOOST_CHECK_EQUAL(server_side.close_count(), 1u);
  // Sending to a dead connection is harmless.
  std::lock_guard l(s.m);
  s.conns[0]->send_text("into the void");
  s.conns[0]->close();
  BOOST_CHECK(eventually([&] { return s.server->open_connections() == 0; }));
}

BOOST_AUTO_TEST_CASE(refuses_plain_ws_to_a_non_loopback_host_without_connecting) {
  io_runtime io{1};
  ws_client_options o;
  o.url = "ws://example.com/stream";
  auto r = connect(io, o, {});
  BOOST_CHECK(!r.conn);
  BOOST_CHECK_EQUAL(r.error, "refused: plain ws:// to a non-loopback host");
}

BOOST_AUTO_TEST_CASE(reports_connect_errors_in_one_line) {
  io_runtime io{1};
  ws_client_options o;
  o.url = "ws://127.0.0.1:1/"; // nothing listens on port 1
  auto r = connect(io, o, {});
  BOOST_CHECK(!r.conn);
  BOOST_CHECK_MESSAGE(r.error.find("connect: ") == 0, r.error);
  o.url = "not a url";
  r = connect(io, o, {});
  BOOST_CHECK(!r.error.empty());
}

BOOST_AUTO_TEST_CASE(recognises_loopback_hosts) {
  BOOST_CHECK(is_loopback_host("localhost"));
  BOOST_CHECK(is_loopback_host("LOCALHOST"));
  BOOST_CHECK(is_loopback_host("127.0.0.1"));
  BOOST_CHECK(is_loopback_host("127.8.9.10"));
  BOOST_CHECK(is_loopback_host("::1"));
  BOOST_CHECK(is_loopback_host("[::1]"));
  BOOST_CHECK(!is_loopback_host("example.com"));
  BOOST_CHECK(!is_loopback_host("10.0.0.1"));
  BOOST_CHECK(!is_loopback_host("localhost.example.com"));
  BOOST_CHECK(!is_loopback_host("128.0.0.1"));
}

BOOST_AUTO_TEST_CASE(closes_a_silent_peer_with_idle_timeout) {
  recorder server_side;
  http_server_options opts;
  opts.ws.idle_timeout_ms = 300;
  ws_server s([&](const ws_connection_ptr& conn) { conn->set_handlers(server_side.handlers()); },
              opts);
  raw_client c(s.server->port());
  raw_upgrade(c);
  auto start = std::chrono::steady_clock::now();
  BOOST_REQUIRE(eventually([&] { return server_side.close_count() == 1; }, 3000ms));
  BOOST_CHECK_EQUAL(server_side.first_close(), "idle timeout");
  BOOST_CHECK(std::chrono::steady_clock::now() - start >= 250ms);
}

BOOST_AUTO_TEST_CASE(keeps_a_quiet_but_responsive_peer_alive_with_pings) {
  recorder server_side;
  http_server_options opts;
  opts.ws.idle_timeout_ms = 200;
  ws_server s([&](const ws_connection_ptr& conn) { conn->set_handlers(server_side.handlers()); },
              opts);
  recorder client_side;
  ws_client_options o;
  o.url = s.url();
  auto r = connect(s.io, o, client_side.handlers()); // Beast answers pings while reading
  BOOST_REQUIRE_MESSAGE(r.conn, r.error);
  std::this_thread::sleep_for(1000ms); // five idle periods without a data frame
  BOOST_CHECK_EQUAL(server_side.close_count(), 0u);
  r.conn->send_text("still here");
  BOOST_CHECK(eventually([&] { return server_side.frame_count() == 1; }));
}

BOOST_AUTO_TEST_CASE(closes_even_if_the_peer_never_answers_the_close_frame) {
  recorder server_side;
  ws_server s([&](const ws_connection_ptr& conn) { conn->set_handlers(server_side.handlers()); });
  raw_client c(s.server->port());
  raw_upgrade(c);
  auto conn = s.the_connection();
  conn->send_text("bye");
  conn->close();
  conn->close(); // idempotent
  BOOST_REQUIRE(eventually([&] { return server_side.close_count() == 1; }, 4000ms));
  BOOST_CHECK_EQUAL(server_side.first_close(), "close timeout");
  BOOST_CHECK(eventually([&] { return s.server->open_connections() == 0; }));
}

BOOST_AUTO_TEST_CASE(abort_resets_the_connection_so_the_peer_reads_econnreset) {
  // Issue 14.5: the stand-ins fake a network fault with abort(): the kernel
  // sends RST, so the other side fails its read with "connection reset"
  // rather than seeing a close frame or a clean FIN.
  recorder server_side;
  ws_server s([&](const ws_connection_ptr& conn) { conn->set_handlers(server_side.handlers()); });
  recorder client_side;
  ws_client_options o;
  o.url = s.url();
  auto r = connect(s.io, o, client_side.handlers());
  BOOST_REQUIRE(r.conn);
  r.conn->send_text("before the fault");
  BOOST_REQUIRE(eventually([&] { return server_side.frame_count() == 1; }));
  r.conn->abort();
  r.conn->abort(); // idempotent
  BOOST_REQUIRE(eventually([&] { return server_side.close_count() == 1; }));
  BOOST_REQUIRE(eventually([&] { return client_side.close_count() == 1; }));
  BOOST_TEST(client_side.first_close() == "aborted");
  BOOST_TEST_INFO("server saw: " << server_side.first_close());
  BOOST_TEST(server_side.first_close().find("reset") != std::string::npos);
  BOOST_CHECK(eventually([&] { return s.server->open_connections() == 0; }));
}

// Bad input: a peer sending binary frames (Twilio and OpenAI send only text)
// loses nothing of its text frames, and the log gets one line for the first
// binary frame and a count when the connection ends, not a line per frame (a
// peer could otherwise fill the disk with log lines).
BOOST_AUTO_TEST_CASE(ignores_binary_frames_with_one_log_line_and_a_count) {
  sb::test::log_capture captured;
  {
    recorder server_side;
    ws_server s([&](const ws_connection_ptr& conn) { conn->set_handlers(server_side.handlers()); });
    raw_client c(s.server->port());
    raw_upgrade(c);
    std::string burst;
    for (int i = 0; i < 50; ++i)
      burst += client_frame(0x2, std::string(20, static_cast<char>(i)));
    burst += client_frame(0x1, "still read");
    BOOST_REQUIRE(c.send(burst));
    BOOST_REQUIRE(eventually([&] { return server_side.frame_count() == 1; }));
    {
      std::lock_guard l(server_side.m);
      BOOST_CHECK_EQUAL(server_side.frames[0], "still read");
    }
    BOOST_CHECK_EQUAL(server_side.close_count(), 0u); // still open
    c.abort();
    BOOST_REQUIRE(eventually([&] { return server_side.close_count() == 1; }));
  }
  BOOST_REQUIRE_EQUAL(captured.count("binary"), 2u);
  BOOST_CHECK_EQUAL(captured.count("ignoring binary WebSocket frames from 127.0.0.1"), 1u);
  BOOST_CHECK_EQUAL(captured.count("50 binary frames ignored in all"), 1u);
}
