// Issue 13 item 4: a Realtime session ends after 60 minutes, so before it
// does the call moves to a fresh session (actors/session_recycle.cpp). Here
// the limit is 2.5 s: a three-turn call runs through several sessions. The
// peer counts each connection's audio and the items replayed to it.
#include "tests/call/call_fixture.hpp"

#define BOOST_TEST_MODULE e2e_session_recycle
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <thread>

using namespace sb;
using namespace sb::test;

namespace {

/// Three turns; the caller hangs up (stop) after the last reply has played,
/// so that every byte it sent is relayed before the sessions close.
sim::call_script three_turns(const std::string& number) {
  sim::call_script s;
  s.caller_number = number;
  s.greeting_clip = "one_moment";
  s.assistant_hangs_up = false;
  s.turns.push_back(make_turn("Hi, my kitchen sink is leaking under the cabinet.", "caller_1", {},
                              "I'm sorry to hear that. Can I get your name and the address?",
                              "reply_1"));
  s.turns.push_back(make_turn("Sure, I'm Jane Doe, at 42 Elm Street, Springfield.", "caller_2", {},
                              "Thanks, Jane. When would you like us to come?", "reply_2"));
  s.turns.push_back(make_turn("Tomorrow at ten in the morning, if possible.", "caller_3", {},
                              "Tomorrow at ten works. You are booked, and we will call you back "
                              "at this number.",
                              "reply_3"));
  return s;
}

/// The connections that carried this caller's script, by number.
std::vector<int> connections_of(const sim::peer_stats& s, const std::string& number) {
  std::vector<int> out;
  for (const auto& [conn, caller] : s.caller_by_connection)
    if (caller == number)
      out.push_back(conn);
  return out;
}

int64_t audio_of(const sim::peer_stats& s, const std::vector<int>& conns) {
  int64_t n = 0;
  for (int c : conns)
    if (auto it = s.audio_received_by_connection.find(c);
        it != s.audio_received_by_connection.end())
      n += it->second;
  return n;
}

bool replayed(const sim::peer_stats& s, int conn, const std::string& line) {
  auto it = s.items_created_by_connection.find(conn);
  return it != s.items_created_by_connection.end() &&
         std::find(it->second.begin(), it->second.end(), line) != it->second.end();
}

} // namespace

BOOST_AUTO_TEST_CASE(sessions_are_recycled_between_turns_without_losing_audio) {
  const std::string number = "+15550005001";
  auto script = three_turns(number);
  e2e_env env{{.scripts = {script}, .tune = [](config& c) {
                 c.openai.session_max = 2500ms;
                 c.timeouts.silence = 0ms;
               }}};
  auto options = env.caller_for(script);
  auto sent = std::make_shared<std::atomic<int64_t>>(0); // every byte: speech and silence
  options.on_audio_sent = [sent](int64_t, std::string_view bytes, int64_t) {
    *sent += bytes.size();
  };
  auto r = env.call(options);
  BOOST_TEST_INFO("caller error: " << r.error);
  BOOST_REQUIRE(r.ok);
  BOOST_REQUIRE(env.wait_for_no_calls());

  auto call = env.call_record(r.call_sid);
  BOOST_REQUIRE(call.has_value());
  BOOST_TEST(call->end_reason == end_reason::caller_hangup);
  BOOST_TEST(call->openai_reconnects == 0); // no drop: each move was planned
  BOOST_TEST(call->openai_recycles >= 2);

  // Each move is one more configured session that carried the call, and
  // every caller byte reached exactly one of them (the last frames may still
  // be on their way to the peer: wait for them, bounded).
  sim::peer_stats stats;
  std::vector<int> conns;
  for (int i = 0; i < 100; ++i) {
    stats = env.peer().stats();
    conns = connections_of(stats, number);
    if (audio_of(stats, conns) >= sent->load())
      break;
    std::this_thread::sleep_for(50ms);
  }
  BOOST_TEST_MESSAGE(call->openai_recycles << " moves, " << sent->load() << " caller bytes, "
                                           << stats.closed_mid_turn.size()
                                           << " connections closed mid-turn");
  BOOST_TEST(conns.size() == static_cast<std::size_t>(call->openai_recycles) + 1);
  BOOST_TEST(audio_of(stats, conns) == sent->load());
  // Every session was closed between turns: no response active, nobody mid-utterance.
  for (int c : stats.closed_mid_turn) {
    bool ours = std::find(conns.begin(), conns.end(), c) != conns.end();
    BOOST_TEST(!ours, "connection " << c << " was closed mid-turn");
  }

  // The last session was given the conversation before it: at least the
  // first turn, as the caller heard it.
  BOOST_REQUIRE(conns.size() >= 2);
  int last = conns.back();
  BOOST_TEST(replayed(stats, last, "user: " + script.turns[0].caller_text));
  BOOST_TEST(replayed(stats, last, "assistant: " + script.turns[0].reply_text));

  // The conversation went on across the moves: all three turns, in order.
  auto turns = env.turns(r.call_sid);
  std::vector<std::string> said;
  for (const auto& t : turns)
    if (t.role == speaker::caller)
      said.push_back(t.text);
  std::vector<std::string> expected;
  for (const auto& t : script.turns)
    expected.push_back(t.caller_text);
  BOOST_TEST(said == expected, boost::test_tools::per_element());
}
