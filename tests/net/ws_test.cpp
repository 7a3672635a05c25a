#include "net/ws_client.hpp"
#include "tests/common/log_capture.hpp"

#define BOOST_TEST_MODULE net_ws
#include "net_fixture.hpp"

#include <atomic>
#include <mutex>
#include <vector>

using namespace sb::net;
using namespace sb::net::test;

namespace {

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

} // namespace

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

BOOST_AUTO_TEST_CASE(closes_a_slow_peer_once_the_queue_limit_is_exceeded) {
  recorder server_side;
  http_server_options opts;
  opts.ws.max_queued_bytes = 256 * 1024;
  ws_server s([&](const ws_connection_ptr& conn) { conn->set_handlers(server_side.handlers()); },
              opts);
  recorder client_side;
  ws_client_options o;
  o.url = s.url();
  // The client pauses after the first frame and never resumes: a peer that
  // stops reading while we keep sending.
  auto r = connect(s.io, o, client_side.handlers(false));
  BOOST_REQUIRE_MESSAGE(r.conn, r.error);
  auto conn = s.the_connection();
  const std::string chunk(32 * 1024, 'a');
  auto deadline = std::chrono::steady_clock::now() + 20s;
  std::size_t sent = 0;
  while (server_side.close_count() == 0 && std::chrono::steady_clock::now() < deadline) {
    // Paced (32 MB/s) so that a reading peer would keep up: the queue only
    // grows once the socket buffers are full.
    conn->send_text(chunk);
    ++sent;
    std::this_thread::sleep_for(1ms);
  }
  BOOST_REQUIRE_EQUAL(server_side.close_count(), 1u);
  BOOST_CHECK_EQUAL(server_side.first_close(), "slow peer");
  BOOST_CHECK_EQUAL(conn->queued_bytes(), 0u);
  BOOST_CHECK(sent > 8); // it took real traffic, not one oversized burst
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

// Frames go out in the order send_text was called, whichever thread calls it.
// The call's media relay sends under its own mutex from the actor thread (the
// held caller audio, when the Realtime session becomes ready) and from the io
// thread (live caller frames); a live frame must never overtake held ones.
// Provoked here exactly: a frame sent from another thread while the io
// thread is busy, then one sent from the io thread itself.
BOOST_AUTO_TEST_CASE(keeps_the_order_of_send_calls_made_from_any_thread) {
  recorder server_side;
  ws_server s([&](const ws_connection_ptr& conn) { conn->set_handlers(server_side.handlers()); });
  io_runtime client_io{1}; // one io thread: the connection runs on the io_context itself
  recorder client_side;
  ws_client_options o;
  o.url = s.url();
  auto r = connect(client_io, o, client_side.handlers());
  BOOST_REQUIRE_MESSAGE(r.conn, r.error);
  constexpr int rounds = 20;
  for (int i = 0; i < rounds; ++i) {
    std::promise<void> go;
    std::promise<void> done;
    auto go_f = go.get_future();
    auto done_f = done.get_future();
    // The io thread is held inside a handler ...
    client_io.post([&, conn = r.conn] {
      go_f.wait();
      // ... and sends the second frame once the first was sent elsewhere.
      conn->send_text("second " + std::to_string(i));
      done.set_value();
    });
    r.conn->send_text("first " + std::to_string(i)); // from this (non-io) thread
    go.set_value();
    await(done_f);
  }
  BOOST_REQUIRE(eventually([&] { return server_side.frame_count() == 2 * rounds; }));
  std::lock_guard lock(server_side.m);
  for (int i = 0; i < rounds; ++i) {
    BOOST_CHECK_EQUAL(server_side.frames[2 * i], "first " + std::to_string(i));
    BOOST_CHECK_EQUAL(server_side.frames[2 * i + 1], "second " + std::to_string(i));
  }
}

// A close asked for after some sends goes out after them, even when the
// sends were made from another thread.
BOOST_AUTO_TEST_CASE(closes_only_after_the_frames_sent_before_the_close) {
  recorder server_side;
  ws_server s([&](const ws_connection_ptr& conn) { conn->set_handlers(server_side.handlers()); });
  io_runtime client_io{1};
  recorder client_side;
  ws_client_options o;
  o.url = s.url();
  auto r = connect(client_io, o, client_side.handlers());
  BOOST_REQUIRE_MESSAGE(r.conn, r.error);
  std::promise<void> go;
  auto go_f = go.get_future();
  client_io.post([&go_f] { go_f.wait(); });
  for (int i = 0; i < 50; ++i)
    r.conn->send_text("frame " + std::to_string(i));
  r.conn->close();
  r.conn->send_text("after close"); // dropped: the connection is closing
  go.set_value();
  BOOST_REQUIRE(eventually([&] { return server_side.close_count() == 1; }));
  std::lock_guard lock(server_side.m);
  BOOST_REQUIRE_EQUAL(server_side.frames.size(), 50u);
  for (int i = 0; i < 50; ++i)
    BOOST_CHECK_EQUAL(server_side.frames[i], "frame " + std::to_string(i));
  BOOST_CHECK_EQUAL(server_side.closes[0], "");
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

// Frames that come together (a media frame and its mark, a burst of a
// reply's deltas) leave corked, in a few full TCP segments, not one segment
// each: an idle connection may send only ~10 segments before the peer's
// ACKs, so 40 small ones would wait for them (bench/RESULTS.md, "the
// relay's own span"). And the cork is let go as soon as nothing more is
// queued: a lone frame afterwards is not held (a cork left on would hold
// each one up to the kernel's 200 ms).
BOOST_AUTO_TEST_CASE(frames_sent_together_leave_in_few_segments_and_none_is_held) {
  ws_server s([](const ws_connection_ptr& conn) { conn->set_handlers(ws_handlers{}); });
  raw_client c(s.server->port());
  raw_upgrade(c);
  auto conn = s.the_connection();
  // A server's frame of a payload under 126 bytes: 0x81, the length, the payload.
  auto expect_frame = [&](const std::string& payload) {
    auto head = c.read_bytes(2);
    BOOST_REQUIRE_EQUAL(head.size(), 2u);
    BOOST_REQUIRE_EQUAL(static_cast<unsigned char>(head[0]), 0x81);
    BOOST_REQUIRE_EQUAL(static_cast<std::size_t>(head[1]), payload.size());
    BOOST_REQUIRE_EQUAL(c.read_bytes(payload.size()), payload);
  };
  auto payload = [](int i) { return "frame " + std::to_string(i) + std::string(90, 'x'); };

  const auto before = c.data_segments_in();
  // Queued in one handler, as a burst's frames are by the relay.
  s.io.post([&] {
    for (int i = 0; i < 40; ++i)
      conn->send_text(payload(i));
  });
  for (int i = 0; i < 40; ++i)
    expect_frame(payload(i));
  const auto segments = c.data_segments_in() - before;
  BOOST_TEST_MESSAGE("40 frames in " << segments << " segments");
  BOOST_CHECK_LE(segments, 6u); // each in its own segment without the cork: 40

  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 5; ++i) {
    conn->send_text("lone " + std::to_string(i));
    expect_frame("lone " + std::to_string(i));
  }
  const auto took = std::chrono::steady_clock::now() - start;
  BOOST_TEST_MESSAGE("5 lone frames, one after the other, in "
                     << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                     << " ms");
  BOOST_CHECK(took < 500ms); // ~1 s if the cork stayed on (200 ms each)
}
