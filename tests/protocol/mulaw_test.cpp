#include "protocol/mulaw.hpp"

#define BOOST_TEST_MODULE mulaw
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstdlib>
#include <string>

using namespace sb::proto;

// G.711: 0xFF and 0x7F are the two zeros, 0x00 / 0x80 the extremes (+-32124).
BOOST_AUTO_TEST_CASE(decodes_the_g711_reference_points) {
  BOOST_TEST(mulaw_decode(0xFF) == 0);
  BOOST_TEST(mulaw_decode(0x7F) == 0);
  BOOST_TEST(mulaw_decode(0x80) == 32124);
  BOOST_TEST(mulaw_decode(0x00) == -32124);
}

BOOST_AUTO_TEST_CASE(encode_inverts_decode_for_every_code) {
  for (int code = 0; code < 256; ++code) {
    if (code == 0x7F)
      continue; // negative zero encodes as positive zero (0xFF)
    BOOST_TEST_CONTEXT(code) {
      BOOST_TEST(mulaw_encode(mulaw_decode(static_cast<uint8_t>(code))) == code);
    }
  }
}

BOOST_AUTO_TEST_CASE(encoding_error_stays_within_the_segment_step) {
  for (int s = -32768; s <= 32767; s += 7) {
    int back = mulaw_decode(mulaw_encode(static_cast<int16_t>(s)));
    int clipped = std::max(-32635, std::min(32635, s));
    // Segment 7 steps are 1024 wide: half a step of quantisation error.
    BOOST_TEST(std::abs(back - clipped) <= 1024, "sample " << s << " came back as " << back);
  }
}

BOOST_AUTO_TEST_CASE(rms_of_silence_is_zero_and_of_a_tone_is_loud) {
  BOOST_TEST(mulaw_rms("") == 0.0);
  BOOST_TEST(mulaw_rms(std::string(160, static_cast<char>(0xFF))) == 0.0);
  std::string tone;
  for (int i = 0; i < 160; ++i)
    tone.push_back(
        static_cast<char>(mulaw_encode(static_cast<int16_t>(10000 * std::sin(i * 2 * M_PI / 20)))));
  double rms = mulaw_rms(tone);
  BOOST_TEST(rms > 6500.0); // 10000 / sqrt(2) = 7071
  BOOST_TEST(rms < 7600.0);
}
