// WebSocket connections as senders (net/ws_session.cpp): the order of
// frames sent from any thread, a close after the frames sent before it, a
// peer too slow to read, and frames sent together leaving together.
#define BOOST_TEST_MODULE net_ws_send
#include "ws_fixture.hpp"

using namespace sb::net;
using namespace sb::net::test;

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

// Frames that come together (a media frame and its mark, a burst of a
// reply's deltas) leave together, in one gather write and a few full TCP
// segments, not one segment each: an idle connection may send only ~10
// segments before the peer's ACKs, so 40 small ones would wait for them
// (bench/RESULTS.md, "the relay's own span"). And nothing is held back for
// company: a lone frame afterwards leaves at once (a TCP_CORK left on, the
// way this was done before, would hold each one up to 200 ms).
BOOST_AUTO_TEST_CASE(frames_sent_together_leave_in_few_segments_and_none_is_held) {
  auto payload = [](int i) { return "frame " + std::to_string(i) + std::string(90, 'x'); };
  // The burst is sent from the connection's own handler (its strand), as the
  // relay sends a reply's deltas: with the fixture's two io threads, sends
  // from elsewhere are each posted to the strand and race its writes.
  ws_server s([&](const ws_connection_ptr& conn) {
    std::weak_ptr<ws_connection> weak = conn;
    ws_handlers h;
    h.on_text = [weak, payload](std::string&&) {
      if (auto c = weak.lock())
        for (int i = 0; i < 40; ++i)
          c->send_text(payload(i));
      return true;
    };
    conn->set_handlers(std::move(h));
  });
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

  const auto before = c.data_segments_in();
  c.send(client_frame(0x1, "burst")); // queued in one handler, as a burst's frames are by the relay
  for (int i = 0; i < 40; ++i)
    expect_frame(payload(i));
  const auto segments = c.data_segments_in() - before;
  BOOST_TEST_MESSAGE("40 frames in " << segments << " segments");
  BOOST_CHECK_LE(segments, 6u); // each in its own segment, written one by one: 40

  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 5; ++i) {
    conn->send_text("lone " + std::to_string(i));
    expect_frame("lone " + std::to_string(i));
  }
  const auto took = std::chrono::steady_clock::now() - start;
  BOOST_TEST_MESSAGE("5 lone frames, one after the other, in "
                     << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                     << " ms");
  BOOST_CHECK(took < 500ms); // ~1 s if each waited for a cork's 200 ms
}
