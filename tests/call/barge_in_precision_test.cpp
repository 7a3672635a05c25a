// Issue 13 item 6, barge-in precisely: over twenty interruptions at varied
// points of the assistant's replies, the truncation point sent to OpenAI
// (conversation.item.truncate audio_end_ms) is within one 20 ms frame of what
// the caller had actually heard when the `clear` reached it, at the 95th
// percentile; and no response.cancel is refused (docs/protocols.md 3).
//
// The truth is the simulated caller's: it plays the assistant's audio in
// real time and records, per `clear`, how much of the reply it had played
// out (caller_result::heard_at_clear_ms). The simulated peer records each
// truncate as received, per caller, and answers a response.cancel with no
// response in progress with `response_cancel_not_active`, as the service
// does.
#include "tests/call/call_fixture.hpp"

#define BOOST_TEST_MODULE e2e_barge_in_precision
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <sstream>

using namespace sb;
using namespace sb::test;

namespace {

constexpr int interruptions_per_call = 10;
constexpr int64_t frame_ms = 20; // one Media Streams frame

/// A call in which the caller talks over ten replies in a row, the n-th
/// after `first_ms + n * step_ms` of it has played (steps far from a
/// multiple of the peer's 100 ms delta, so the cuts land all over a delta,
/// where echoed marks alone are off by up to a delta), then says goodbye
/// and lets the last reply play.
sim::call_script interrupting_script(const std::string& number, int first_ms, int step_ms) {
  sim::call_script s;
  s.caller_number = number;
  s.greeting_clip = "one_moment";
  s.turns.push_back(make_turn("Hi, my kitchen sink is leaking under the cabinet.", "caller_1", {},
                              "I'm sorry to hear that. Can I get your name and the address?",
                              "reply_3"));
  for (int n = 0; n < interruptions_per_call; ++n) {
    const bool last = n + 1 == interruptions_per_call;
    auto t = last ? make_turn("Great, thank you. Bye.", "caller_wait", {},
                              "You're welcome. Goodbye!", "reply_4")
                  : make_turn("Sorry to interrupt.", "caller_wait", {},
                              n % 2 ? "Can I get your name and the address?"
                                    : "Tomorrow at ten works. You are booked.",
                              n % 2 ? "reply_1" : "reply_3");
    t.barge_in_after_ms = first_ms + n * step_ms;
    s.turns.push_back(t);
  }
  return s;
}

/// Nearest-rank percentile of `v` (sorted ascending), p in (0, 1].
int64_t percentile(const std::vector<int64_t>& v, double p) {
  auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(v.size())));
  return v[std::max<std::size_t>(rank, 1) - 1];
}

} // namespace

BOOST_AUTO_TEST_CASE(truncation_is_within_a_frame_of_what_the_caller_heard) {
  std::vector<sim::call_script> scripts{interrupting_script("+15557650101", 150, 162),
                                        interrupting_script("+15557650102", 190, 131)};
  e2e_env env({.scripts = scripts});
  auto results = env.call_all(scripts, 700ms, 130s);
  BOOST_REQUIRE(env.wait_for_no_calls());
  auto stats = env.peer().stats();

  std::vector<int64_t> errors; // |audio_end_ms - heard|, ms
  std::ostringstream pairs;
  for (std::size_t c = 0; c < results.size(); ++c) {
    const auto& r = results[c];
    BOOST_TEST_INFO("caller " << scripts[c].caller_number << " error: " << r.error);
    BOOST_TEST(r.ok);
    const auto& heard = r.heard_at_clear_ms;
    const auto& truncated = stats.truncates_by_caller[scripts[c].caller_number];
    // One clear and one truncate per interruption, in the same order.
    BOOST_TEST(heard.size() == static_cast<std::size_t>(interruptions_per_call));
    BOOST_REQUIRE(truncated.size() == heard.size());
    for (std::size_t i = 0; i < heard.size(); ++i) {
      BOOST_TEST(heard[i] > 0);
      errors.push_back(std::abs(truncated[i] - heard[i]));
      pairs << " " << heard[i] << "/" << truncated[i];
    }
  }
  BOOST_REQUIRE(!errors.empty());
  std::sort(errors.begin(), errors.end());
  const int64_t median = percentile(errors, 0.5), p95 = percentile(errors, 0.95);
  const int cancel_errors = stats.errors_by_code["response_cancel_not_active"];
  BOOST_TEST_MESSAGE("heard/truncated ms:" << pairs.str());
  BOOST_TEST_MESSAGE(errors.size()
                     << " interruptions: |audio_end_ms - heard| median " << median << " ms, p95 "
                     << p95 << " ms, max " << errors.back() << " ms; response.cancel sent "
                     << stats.cancels << ", refused " << cancel_errors);
  BOOST_TEST_INFO("heard/truncated ms:" << pairs.str());
  BOOST_TEST(p95 <= frame_ms);
  // With interrupt_response the service cancels the response itself on
  // speech_started: a cancel from the bridge could only be refused.
  BOOST_TEST(cancel_errors == 0);
  BOOST_TEST(stats.cancels == 0);
  BOOST_TEST(stats.errors_sent == 0);
  BOOST_TEST(first_invalid_client_event(env.peer().client_events()) == "");
}
