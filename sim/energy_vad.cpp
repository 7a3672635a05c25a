#include "sim/energy_vad.hpp"

#include "protocol/mulaw.hpp"

#include <array>

namespace sb::sim {

namespace {

/// Squared linear value of every mu-law code: the VAD runs on every 20 ms
/// frame of every call, so decode once (issue 4's load benchmark).
const std::array<int64_t, 256>& squares() {
  static const auto t = [] {
    std::array<int64_t, 256> a{};
    for (int b = 0; b < 256; ++b) {
      const int64_t v = proto::mulaw_decode(static_cast<uint8_t>(b));
      a[static_cast<std::size_t>(b)] = v * v;
    }
    return a;
  }();
  return t;
}

/// proto::mulaw_rms(frame) > threshold, without the square root: the sum of
/// squares is exact in int64 (at most 160 * 32124^2).
bool louder_than(std::string_view frame, double threshold) {
  if (frame.empty())
    return 0.0 > threshold;
  if (threshold < 0)
    return true;
  const auto& sq = squares();
  int64_t sum = 0;
  for (char c : frame)
    sum += sq[static_cast<uint8_t>(c)];
  return static_cast<double>(sum) / static_cast<double>(frame.size()) > threshold * threshold;
}

} // namespace

energy_vad::event energy_vad::on_frame(std::string_view frame) {
  const int64_t start_ms = frames_ * 20;
  ++frames_;
  const bool voiced = louder_than(frame, threshold_);
  event e;
  if (voiced) {
    ++voiced_run_;
    silent_run_ = 0;
    last_voiced_end_ms_ = frames_ * 20;
    if (!speaking_ && voiced_run_ >= onset_frames) {
      speaking_ = true;
      e.kind = event::started;
      e.audio_ms = start_ms - (onset_frames - 1) * 20;
    }
  } else {
    voiced_run_ = 0;
    ++silent_run_;
    if (speaking_ && silent_run_ * 20 >= silence_ms_) {
      speaking_ = false;
      e.kind = event::stopped;
      e.audio_ms = last_voiced_end_ms_;
    }
  }
  return e;
}

int64_t energy_vad::force_stop() {
  speaking_ = false;
  voiced_run_ = silent_run_ = 0;
  return frames_ * 20;
}

} // namespace sb::sim
