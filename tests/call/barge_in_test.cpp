// Issue 3, barge-in: the caller talks over the assistant. Twilio's queue is
// cleared, OpenAI's item is truncated to what the caller actually heard
// (docs/protocols.md 3), and the transcript keeps the heard words as the
// turn's text and the whole reply as its full_text.
#include "tests/call/call_fixture.hpp"

#define BOOST_TEST_MODULE e2e_barge_in
#include <boost/test/unit_test.hpp>

#include <cstdlib>

using namespace sb;
using namespace sb::test;

namespace {

constexpr int barge_in_after_ms = 800;
// The bridge times the playback with the stream's clock (media.timestamp,
// 20 ms per caller frame) between echoed marks: within a frame of what the
// caller heard, and a frame more if the caller plays one while the clear is
// on its way (tests/call/barge_in_precision_test.cpp measures the spread).
constexpr int64_t slack_ms = 40;

sim::call_script barge_in_script() {
  sim::call_script s;
  s.caller_number = "+15557650003";
  s.greeting_clip = "one_moment";
  s.turns.push_back(
      make_turn("Hi, my kitchen sink is leaking under the cabinet.", "caller_1",
                {full_booking("Barbara Barge", "3 Interrupt Street", s.caller_number)},
                "I'm sorry to hear that. Can I get your name and the address?", "reply_1"));
  auto second =
      make_turn("Great, thank you. Bye.", "caller_4", {}, "You're welcome. Goodbye!", "reply_4");
  second.barge_in_after_ms = barge_in_after_ms; // talks over reply_1
  s.turns.push_back(second);
  return s;
}

/// The call of barge_in_script() and its checks: Twilio cleared, OpenAI's
/// item truncated once at what the caller heard, the stored reply cut to the
/// heard words with its full text kept.
void check_barge_in_call(const e2e_options& options) {
  const auto& script = options.scripts.at(0);
  e2e_env env(options);
  auto r = env.call(script);
  BOOST_TEST_INFO("caller error: " << r.error);
  BOOST_TEST(r.ok);
  BOOST_REQUIRE(env.wait_for_no_calls());

  // Twilio was told to drop the queued audio.
  BOOST_TEST(r.clears_received >= 1);
  BOOST_REQUIRE(!r.heard_at_clear_ms.empty());
  const int64_t heard = r.heard_at_clear_ms[0];
  BOOST_TEST(heard >= barge_in_after_ms);

  // OpenAI's item was truncated once, at what the caller heard.
  auto stats = env.peer().stats();
  BOOST_TEST(stats.truncates == 1);
  BOOST_REQUIRE(stats.truncate_audio_end_ms.size() == 1u);
  const int64_t truncated_at = stats.truncate_audio_end_ms[0];
  BOOST_TEST_MESSAGE("caller heard " << heard << " ms of the reply; truncated at " << truncated_at
                                     << " ms");
  BOOST_TEST_INFO("caller heard " << heard << " ms; truncated at " << truncated_at << " ms");
  BOOST_TEST(truncated_at > 0);
  BOOST_TEST(std::abs(heard - truncated_at) <= slack_ms);

  // The call record counts it; the stored reply is cut to the heard words.
  auto call = env.call_record(r.call_sid);
  BOOST_REQUIRE(call.has_value());
  BOOST_TEST(call->barge_ins == 1);
  BOOST_TEST(call->end_reason == sb::end_reason::assistant_hangup);
  auto turns = env.turns(r.call_sid);
  const std::string full = script.turns[0].reply_text;
  auto cut = std::find_if(turns.begin(), turns.end(), [](const auto& t) { return t.truncated; });
  BOOST_REQUIRE(cut != turns.end());
  BOOST_TEST(std::count_if(turns.begin(), turns.end(), [](const auto& t) { return t.truncated; }) ==
             1);
  BOOST_TEST(cut->role == sb::speaker::assistant);
  BOOST_TEST(cut->text.size() < full.size());
  BOOST_TEST(full.rfind(cut->text.substr(0, std::min<std::size_t>(cut->text.size(), 8)), 0) == 0);
  // Both texts are kept: what the caller heard, and all that was generated
  // (for review); they differ.
  BOOST_TEST(cut->full_text == full);
  BOOST_TEST(cut->text != cut->full_text);
  for (const auto& t : turns) // a turn heard whole has one text
    if (!t.truncated)
      BOOST_TEST(t.full_text == t.text);
  // ...and the caller's interruption comes after it, then the final reply.
  BOOST_REQUIRE(cut + 2 < turns.end());
  BOOST_TEST((cut + 1)->role == sb::speaker::caller);
  BOOST_TEST((cut + 1)->text == script.turns[1].caller_text);
  BOOST_TEST((cut + 2)->text == script.turns[1].reply_text);
  BOOST_TEST(!(cut + 2)->truncated);

  BOOST_TEST(first_invalid_client_event(env.peer().client_events()) == "");
}

} // namespace

// The peer streams a reply 5x faster than real time: it has sent all of
// reply_1 (and its transcript) before the caller talks over it.
BOOST_AUTO_TEST_CASE(barge_in_clears_and_truncates) {
  check_barge_in_call({.scripts = {barge_in_script()}});
}

// The peer streams in real time: the caller talks over reply_1 while the
// peer is still sending it, so the service cancels the response mid-stream
// (turn_detected). The cut reply is still stored, truncated: the service
// ends its transcript on a cancel too. Under TSan the first case could land
// here by itself (a slowed peer), and lost the turn 1 run in 3 (docs/stack.md 7).
BOOST_AUTO_TEST_CASE(barge_in_while_the_reply_still_streams_keeps_the_cut_turn) {
  e2e_options o{.scripts = {barge_in_script()}};
  o.tune_peer = [](sim::peer_options& p) { p.delta_interval_ms = p.delta_ms; };
  check_barge_in_call(o);
}
