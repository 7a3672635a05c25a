#include "protocol/playout.hpp"

#define BOOST_TEST_MODULE playout
#include <boost/test/unit_test.hpp>

#include <set>
#include <vector>

using namespace sb::proto;

namespace {
constexpr std::size_t chunk = 160; // 20 ms of 8 kHz mu-law
}

BOOST_AUTO_TEST_CASE(mark_names_are_unique_and_prefixed) {
  playout_tracker t;
  t.set_prefix("call7-");
  std::set<std::string> names;
  for (int i = 0; i < 100; ++i) {
    std::string n = t.on_audio_sent(i % 2 ? "item_a" : "item_b", chunk);
    BOOST_TEST(n.rfind("call7-", 0) == 0u);
    names.insert(n);
  }
  BOOST_TEST(names.size() == 100u);
  BOOST_TEST(t.pending_marks() == 100u);
}

BOOST_AUTO_TEST_CASE(marks_echoed_in_order_confirm_heard_audio) {
  playout_tracker t;
  BOOST_TEST(!t.playing());
  std::string m1 = t.on_audio_sent("item_1", chunk);
  std::string m2 = t.on_audio_sent("item_1", chunk);
  std::string m3 = t.on_audio_sent("item_1", 80);
  BOOST_TEST(t.playing());
  BOOST_TEST(t.heard_ms("item_1") == 0);
  BOOST_TEST(t.on_mark(m1));
  BOOST_TEST(t.heard_ms("item_1") == 20);
  BOOST_TEST(t.on_mark(m2));
  BOOST_TEST(t.heard_ms("item_1") == 40);
  BOOST_TEST(t.on_mark(m3));
  BOOST_TEST(t.heard_ms("item_1") == 50);
  BOOST_TEST(!t.playing());
  BOOST_TEST(t.heard_ms("never_sent") == 0);
}

BOOST_AUTO_TEST_CASE(a_later_echo_implies_the_earlier_marks_played) {
  playout_tracker t;
  t.on_audio_sent("item_1", chunk);
  std::string m2 = t.on_audio_sent("item_1", chunk);
  t.on_audio_sent("item_1", chunk);
  BOOST_TEST(t.on_mark(m2));
  BOOST_TEST(t.heard_ms("item_1") == 40);
  BOOST_TEST(t.pending_marks() == 1u);
}

BOOST_AUTO_TEST_CASE(unknown_or_repeated_marks_are_rejected) {
  playout_tracker t;
  std::string m1 = t.on_audio_sent("item_1", chunk);
  BOOST_TEST(!t.on_mark("nonsense"));
  BOOST_TEST(t.on_mark(m1));
  BOOST_TEST(!t.on_mark(m1));
  BOOST_TEST(t.heard_ms("item_1") == 20);
}

BOOST_AUTO_TEST_CASE(clear_reports_the_playing_item_and_ignores_echoes_of_cleared_marks) {
  playout_tracker t;
  std::string a1 = t.on_audio_sent("item_a", chunk);
  std::string b1 = t.on_audio_sent("item_b", chunk);
  std::string b2 = t.on_audio_sent("item_b", chunk);
  std::string b3 = t.on_audio_sent("item_b", chunk);
  BOOST_TEST(t.on_mark(a1));
  BOOST_TEST(t.on_mark(b1));
  auto cut = t.on_clear();
  BOOST_TEST(cut.item_id == "item_b");
  BOOST_TEST(cut.heard_ms == 20);
  BOOST_TEST(!t.playing());
  // Twilio echoes every pending mark on clear: that is not playback.
  BOOST_TEST(!t.on_mark(b2));
  BOOST_TEST(!t.on_mark(b3));
  BOOST_TEST(t.heard_ms("item_b") == 20);
  // New audio after the clear is tracked normally.
  std::string c1 = t.on_audio_sent("item_c", chunk);
  BOOST_TEST(t.on_mark(c1));
  BOOST_TEST(t.heard_ms("item_c") == 20);
}

BOOST_AUTO_TEST_CASE(clear_before_any_echo_reports_zero_heard) {
  playout_tracker t;
  t.on_audio_sent("item_a", chunk);
  auto cut = t.on_clear();
  BOOST_TEST(cut.item_id == "item_a");
  BOOST_TEST(cut.heard_ms == 0);
}

BOOST_AUTO_TEST_CASE(clear_with_nothing_pending_reports_the_last_item_heard) {
  playout_tracker t;
  auto empty = t.on_clear();
  BOOST_TEST(empty.item_id == "");
  BOOST_TEST(empty.heard_ms == 0);
  std::string m = t.on_audio_sent("item_a", 400);
  BOOST_TEST(t.on_mark(m));
  auto cut = t.on_clear();
  BOOST_TEST(cut.item_id == "item_a");
  BOOST_TEST(cut.heard_ms == 50);
}

BOOST_AUTO_TEST_CASE(heard_ms_is_within_one_chunk_of_what_played) {
  // Twilio plays 20 ms chunks; a clear lands somewhere inside one. The
  // tracker may only under-report, and by less than one chunk.
  for (int played_ms = 0; played_ms <= 400; played_ms += 7) {
    playout_tracker t;
    std::vector<std::string> marks;
    for (int i = 0; i < 25; ++i)
      marks.push_back(t.on_audio_sent("item_x", chunk));
    for (int i = 0; i < played_ms / 20; ++i)
      BOOST_REQUIRE(t.on_mark(marks[static_cast<std::size_t>(i)]));
    auto cut = t.on_clear();
    BOOST_TEST(cut.heard_ms <= played_ms);
    BOOST_TEST(played_ms - cut.heard_ms < 20);
  }
}

// -- the stream's clock (media.timestamp) between echoes --------------------

namespace {
constexpr std::size_t delta = 800; // 100 ms: one Realtime output_audio.delta

/// Sends `n` deltas of `item`; returns their marks.
std::vector<std::string> send_deltas(playout_tracker& t, const std::string& item, int n) {
  std::vector<std::string> marks;
  for (int i = 0; i < n; ++i)
    marks.push_back(t.on_audio_sent(item, delta));
  return marks;
}

/// Sends `clear`: the cut must name `item` and `heard_ms` of it.
void expect_cut(playout_tracker& t, const std::string& item, int64_t heard_ms) {
  auto cut = t.on_clear();
  BOOST_TEST(cut.item_id == item);
  BOOST_TEST(cut.heard_ms == heard_ms);
}
} // namespace

BOOST_AUTO_TEST_CASE(the_stream_clock_places_a_clear_between_echoes) {
  // Twilio plays 1 s queued at stream time 1000 from then on; marks every
  // 100 ms are echoed as they play. A clear at any 20 ms frame lands within
  // a delta: the clock says how far into it, the echoes alone only that it
  // had started.
  for (int64_t played_ms = 0; played_ms <= 1000; played_ms += 20) {
    playout_tracker t;
    t.on_stream_time(980);
    t.on_stream_time(1000);
    auto marks = send_deltas(t, "item_x", 10);
    for (int64_t at = 1020; at <= 1000 + played_ms; at += 20) {
      t.on_stream_time(at);
      if ((at - 1000) % 100 == 0)
        BOOST_REQUIRE(t.on_mark(marks[static_cast<std::size_t>((at - 1000) / 100 - 1)]));
    }
    BOOST_TEST_INFO("played " << played_ms << " ms");
    expect_cut(t, "item_x", played_ms);
  }
}

BOOST_AUTO_TEST_CASE(echoes_on_their_way_do_not_hold_the_clock_back) {
  // The echoes of the last 300 ms are still in flight: the clock goes on.
  playout_tracker t;
  t.on_stream_time(0);
  auto marks = send_deltas(t, "item_x", 4);
  t.on_stream_time(100);
  BOOST_REQUIRE(t.on_mark(marks[0]));
  t.on_stream_time(340);
  expect_cut(t, "item_x", 340);
}

BOOST_AUTO_TEST_CASE(a_reply_after_a_silence_is_timed_from_when_it_was_sent) {
  // The greeting played to its end; the reply goes out 2 s later and is
  // cleared before its first echo. The time the queue stood empty is not
  // playback (the last echo plus the stream time since would count it).
  playout_tracker t;
  t.on_stream_time(0);
  auto g = t.on_audio_sent("greeting", 2 * delta);
  t.on_stream_time(200);
  BOOST_REQUIRE(t.on_mark(g));
  t.on_stream_time(2200);
  send_deltas(t, "reply", 20);
  t.on_stream_time(2260);
  expect_cut(t, "reply", 60);
}

BOOST_AUTO_TEST_CASE(a_reply_queued_behind_another_starts_when_that_one_ends) {
  // "One moment" (200 ms) is still playing when the reply is sent: the
  // reply starts after it, and the clear names the reply once the clock has
  // passed the filler's end, though the filler's last echo is not back yet.
  playout_tracker t;
  t.on_stream_time(0);
  send_deltas(t, "filler", 2);
  t.on_stream_time(60);
  send_deltas(t, "reply", 10);
  t.on_stream_time(280);
  expect_cut(t, "reply", 80);
}

BOOST_AUTO_TEST_CASE(never_more_than_was_sent) {
  playout_tracker t;
  t.on_stream_time(0);
  t.on_audio_sent("item_x", delta);
  t.on_stream_time(500); // the echo is late; the audio played long ago
  expect_cut(t, "item_x", 100);
}

BOOST_AUTO_TEST_CASE(an_echo_ahead_of_the_clock_moves_it_up) {
  // The clock assumed playback began when the audio was sent, yet the echo
  // says more had played: the echo is a floor, the clock runs on from it.
  playout_tracker t;
  t.on_stream_time(0);
  auto marks = send_deltas(t, "item_x", 10);
  t.on_stream_time(200);
  BOOST_REQUIRE(t.on_mark(marks[2])); // 300 ms played by stream time 200
  t.on_stream_time(260);
  expect_cut(t, "item_x", 360);
}

BOOST_AUTO_TEST_CASE(after_a_clear_the_next_reply_starts_from_an_empty_queue) {
  playout_tracker t;
  t.on_stream_time(0);
  send_deltas(t, "item_a", 10);
  t.on_stream_time(300);
  expect_cut(t, "item_a", 300);
  t.on_stream_time(1000);
  send_deltas(t, "item_b", 10);
  t.on_stream_time(1240);
  expect_cut(t, "item_b", 240);
}

BOOST_AUTO_TEST_CASE(audio_sent_before_the_first_frame_plays_from_the_stream_start) {
  // The greeting is generated before Twilio connects and sent on `start`,
  // before the first caller frame: it plays from the stream's first frame.
  playout_tracker t;
  send_deltas(t, "greeting", 10);
  t.on_stream_time(0);
  t.on_stream_time(420);
  expect_cut(t, "greeting", 420);
}

BOOST_AUTO_TEST_CASE(stale_or_missing_timestamps_are_ignored) {
  playout_tracker t;
  t.on_stream_time(-1);
  t.on_stream_time(0);
  send_deltas(t, "item_x", 10);
  t.on_stream_time(200);
  t.on_stream_time(100); // out of order
  t.on_stream_time(-1);
  expect_cut(t, "item_x", 200);
}
