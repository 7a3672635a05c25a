#include "sim/energy_vad.hpp"

#include "protocol/mulaw.hpp"

namespace sb::sim {

energy_vad::event energy_vad::on_frame(std::string_view frame) {
  const int64_t start_ms = frames_ * 20;
  ++frames_;
  const bool voiced = proto::mulaw_rms(frame) > threshold_;
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
