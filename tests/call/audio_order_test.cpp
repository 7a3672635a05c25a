// Issue 15.1, no reordered audio: the Realtime peer holds session.updated
// for 200-600 ms while every caller streams, so the bridge holds the caller's
// audio and sends it when the session is ready, while live frames keep
// arriving. Every byte each caller sent must reach the peer once, in order.
// Silence frames are tagged with their tick (sim caller_options::tag_silence)
// so that a swapped pair of frames is seen. net_ws_test provokes the race
// itself exactly; this is the whole call path under the same conditions.
#include "tests/call/call_fixture.hpp"

#define BOOST_TEST_MODULE e2e_audio_order
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

using namespace sb;
using namespace sb::test;

namespace {

constexpr int calls = 16;
constexpr std::size_t frame_bytes = 160; ///< 20 ms of 8 kHz mu-law

std::string number_of(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "+1555400%04d", i);
  return buf;
}

/// What each caller sent and what the peer received, per caller number.
struct byte_streams {
  std::mutex m;
  std::map<std::string, std::string> sent, received;
};

/// Index of the first 160-byte frame where `got` differs from `want`, or -1.
long first_bad_frame(const std::string& want, const std::string& got) {
  for (std::size_t at = 0; at < got.size(); at += frame_bytes)
    if (want.compare(at, frame_bytes, got, at, frame_bytes) != 0)
      return static_cast<long>(at / frame_bytes);
  return -1;
}

void run_calls(int io_threads) {
  auto streams = std::make_shared<byte_streams>();
  std::vector<sim::call_script> scripts;
  for (int i = 1; i <= calls; ++i)
    scripts.push_back(short_booking_script(number_of(i), "Customer " + std::to_string(i)));
  e2e_options o{.scripts = scripts,
                .tune = [io_threads](config& c) { c.server.io_threads = io_threads; }};
  o.tune_peer = [streams](sim::peer_options& po) {
    po.session_updated_delay_ms = 200;
    po.session_updated_jitter_ms = 400;
    po.on_audio_received = [streams](const std::string& number, int, int64_t,
                                     std::string_view bytes, int64_t) {
      std::lock_guard lock(streams->m);
      streams->received[number].append(bytes);
    };
  };
  e2e_env env(o);
  std::vector<sim::caller_options> callers;
  for (const auto& s : scripts) {
    auto c = env.caller_for(s);
    c.tag_silence = true;
    c.on_audio_sent = [streams, number = s.caller_number](int64_t, std::string_view bytes,
                                                          int64_t) {
      std::lock_guard lock(streams->m);
      streams->sent[number].append(bytes);
    };
    callers.push_back(std::move(c));
  }
  auto results =
      env.call_all(std::move(callers), std::chrono::milliseconds(0), std::chrono::seconds(60));
  // A caller's result comes when its stream closes; what the bridge relayed
  // just before may still be unread on the peer's socket. The peer reads in
  // order, so once it has seen the bridge close a call's connection it has
  // counted all of that call's audio.
  BOOST_REQUIRE(env.wait_for_no_calls());
  eventually(
      [&] {
        auto closed = env.peer().stats().closed_by_client;
        for (int c = 1; c <= calls; ++c)
          if (closed[number_of(c)] != 1)
            return false;
        return true;
      },
      5s, 50ms);
  auto stats = env.peer().stats();
  for (int c = 1; c <= calls; ++c)
    BOOST_TEST(stats.closed_by_client[number_of(c)] == 1, "the bridge closed call " << c);
  BOOST_TEST(stats.connections == calls); // no reconnect: one byte stream per call
  std::lock_guard lock(streams->m);
  for (int i = 0; i < calls; ++i) {
    const auto& r = results[static_cast<std::size_t>(i)];
    const auto number = number_of(i + 1);
    BOOST_TEST_INFO("call " << number << " (" << r.call_sid << "): " << r.error);
    BOOST_TEST(r.ok);
    const std::string& sent = streams->sent[number];
    const std::string& got = streams->received[number];
    BOOST_TEST(got.size() > 25 * frame_bytes); // the held half second at least
    BOOST_TEST(got.size() <= sent.size());
    // In order and whole, but for the frames in flight as the stream closed.
    BOOST_TEST(first_bad_frame(sent, got) == -1);
#ifndef SB_TSAN
    // A real-time bound: how far the bridge runs behind the caller when the
    // stream closes. Not checked under TSan: 16 calls slowed 5-15x run
    // hundreds of ms behind (13-18 frames on 2 loaded cores, 146-248 at
    // load ~6 earlier; docs/stack.md 7), while the same build in Release at
    // the same load passes it. Order and wholeness above are checked there.
    BOOST_TEST(sent.size() - got.size() <= 3 * frame_bytes);
#endif
  }
}

} // namespace

BOOST_AUTO_TEST_CASE(held_and_live_caller_audio_reach_openai_in_order_on_one_io_thread) {
  run_calls(1);
}

BOOST_AUTO_TEST_CASE(held_and_live_caller_audio_reach_openai_in_order_on_two_io_threads) {
  run_calls(2);
}
