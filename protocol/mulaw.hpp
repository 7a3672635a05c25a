#pragma once
// G.711 mu-law helpers: the audio is passed through untouched; these are for
// the simulated peer's VAD and for timing (8000 samples/s, 1 byte each).

#include <cstdint>
#include <string_view>

namespace sb::proto {

constexpr int mulaw_bytes_per_ms = 8;

int16_t mulaw_decode(uint8_t byte);
uint8_t mulaw_encode(int16_t sample);

/// Root-mean-square of the decoded samples (0..32767).
double mulaw_rms(std::string_view bytes);

} // namespace sb::proto
