#include "protocol/playout.hpp"

#define BOOST_TEST_MODULE playout
#include <boost/test/unit_test.hpp>

#include <set>

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
