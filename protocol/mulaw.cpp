// G.711 mu-law (ITU-T G.711 table 2a), with the usual 0x84 bias and clip at
// 32635 so that the encoder is the inverse of the decoder on its codes.

#include "protocol/mulaw.hpp"

#include <cmath>

namespace sb::proto {

namespace {

constexpr int bias = 0x84;
constexpr int clip = 32635;

} // namespace

int16_t mulaw_decode(uint8_t byte) {
  int u = ~byte & 0xFF;
  int exponent = (u >> 4) & 0x07;
  int mantissa = u & 0x0F;
  int magnitude = (((mantissa << 3) + bias) << exponent) - bias;
  return static_cast<int16_t>((u & 0x80) ? -magnitude : magnitude);
}

uint8_t mulaw_encode(int16_t sample) {
  int s = sample;
  int sign = 0;
  if (s < 0) {
    sign = 0x80;
    s = -s;
  }
  if (s > clip)
    s = clip;
  s += bias;
  int exponent = 7;
  for (int mask = 0x4000; (s & mask) == 0 && exponent > 0; mask >>= 1)
    --exponent;
  int mantissa = (s >> (exponent + 3)) & 0x0F;
  return static_cast<uint8_t>(~(sign | exponent << 4 | mantissa) & 0xFF);
}

double mulaw_rms(std::string_view bytes) {
  if (bytes.empty())
    return 0.0;
  double sum = 0.0;
  for (char c : bytes) {
    double v = mulaw_decode(static_cast<uint8_t>(c));
    sum += v * v;
  }
  return std::sqrt(sum / static_cast<double>(bytes.size()));
}

} // namespace sb::proto
