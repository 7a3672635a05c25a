// What a call costs (receptionist/cost.hpp): response.done usage priced by
// kind, cached input at its kind's cached rate (docs/protocols.md 4).
#include "receptionist/cost.hpp"

#define BOOST_TEST_MODULE cost
#include <boost/test/unit_test.hpp>

using sb::receptionist::cost_usd;
namespace tt = boost::test_tools;

namespace {

/// Round prices that keep the expected sums easy to check by hand.
sb::prices_config round_prices() {
  sb::prices_config p;
  p.text_input = 1;
  p.text_input_cached = 0.5;
  p.audio_input = 10;
  p.audio_input_cached = 2;
  p.text_output = 3;
  p.audio_output = 20;
  return p;
}

} // namespace

BOOST_AUTO_TEST_CASE(each_kind_at_its_rate_with_cached_input_split_by_kind) {
  sb::proto::token_usage u;
  u.input_text = 1000; // of which 400 cached
  u.input_cached_text = 400;
  u.input_audio = 2000; // of which 500 cached
  u.input_cached_audio = 500;
  u.input_cached = 900;
  u.output_text = 100;
  u.output_audio = 300;
  // 600x1 + 400x0.5 + 1500x10 + 500x2 + 100x3 + 300x20 = 23100 per million
  BOOST_TEST(cost_usd(u, round_prices()) == 0.0231, tt::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(the_default_prices_are_gpt_realtimes) {
  sb::proto::token_usage u;
  u.input_text = 1'000'000;
  u.input_audio = 1'000'000;
  u.output_text = 1'000'000;
  u.output_audio = 1'000'000;
  BOOST_TEST(cost_usd(u, sb::prices_config{}) == 4.0 + 32.0 + 16.0 + 64.0, tt::tolerance(1e-12));
  u = {};
  u.input_text = u.input_cached_text = 1'000'000;
  u.input_audio = u.input_cached_audio = 1'000'000;
  BOOST_TEST(cost_usd(u, sb::prices_config{}) == 0.40 + 0.40, tt::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(a_cached_total_without_details_counts_as_audio_first) {
  sb::proto::token_usage u;
  u.input_text = 1000;
  u.input_audio = 300;
  u.input_cached = 500; // no cached_tokens_details: 300 audio, then 200 text
  // 800x1 + 200x0.5 + 0x10 + 300x2 = 1500 per million
  BOOST_TEST(cost_usd(u, round_prices()) == 0.0015, tt::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(cached_counts_above_their_input_and_negative_counts_are_clamped) {
  sb::proto::token_usage u;
  u.input_text = 100;
  u.input_cached_text = 250; // cannot exceed the text input: 100
  u.input_audio = -5;        // a malformed event
  u.input_cached_audio = 7;  // of no audio: 0
  u.output_text = -1;
  // 100x0.5 = 50 per million
  BOOST_TEST(cost_usd(u, round_prices()) == 0.00005, tt::tolerance(1e-12));
  BOOST_TEST(cost_usd({}, round_prices()) == 0.0);
}
