#pragma once
// The simulated peer's voice activity detector: mu-law RMS per 20 ms frame.
// espeak-ng speech measures RMS 100..8000 on voiced frames, the caller's
// silence (0xFF bytes) measures 0; pauses inside one clip stay under ~400 ms,
// so the default 500 ms silence_duration_ms keeps each clip one utterance.

#include <cstdint>
#include <string>
#include <string_view>

namespace sb::sim {

class energy_vad {
public:
  static constexpr std::size_t frame_bytes = 160; ///< 20 ms of 8 kHz mu-law
  static constexpr double default_threshold = 120.0;
  static constexpr int onset_frames = 2; ///< voiced frames in a row before speech starts

  struct event {
    enum kind_t { none, started, stopped } kind = none;
    int64_t audio_ms = 0; ///< start (speech_started) or end (speech_stopped) in stream ms
  };

  explicit energy_vad(int silence_duration_ms = 500, double threshold = default_threshold)
      : silence_ms_(silence_duration_ms), threshold_(threshold) {}

  void set_silence_duration_ms(int ms) { silence_ms_ = ms; }

  /// Feeds audio; calls `on_event` for each start/stop, in order.
  template <class F> void feed(std::string_view bytes, F&& on_event) {
    while (!bytes.empty()) {
      std::string_view frame;
      if (partial_.empty() && bytes.size() >= frame_bytes) {
        frame = bytes.substr(0, frame_bytes); // whole frames: no copy
        bytes.remove_prefix(frame_bytes);
      } else {
        std::size_t take = std::min(frame_bytes - partial_.size(), bytes.size());
        partial_.append(bytes.substr(0, take));
        bytes.remove_prefix(take);
        if (partial_.size() < frame_bytes)
          continue;
        frame = partial_;
      }
      event e = on_frame(frame);
      partial_.clear();
      if (e.kind != event::none)
        on_event(e);
    }
  }

  bool in_speech() const { return speaking_; }
  int64_t audio_ms() const { return frames_ * 20; }

  /// Ends speech now (input_audio_buffer.commit); returns the end in ms.
  int64_t force_stop();

private:
  event on_frame(std::string_view frame);

  int silence_ms_;
  double threshold_;
  std::string partial_;
  int64_t frames_ = 0; ///< complete frames seen
  bool speaking_ = false;
  int voiced_run_ = 0;
  int silent_run_ = 0;
  int64_t last_voiced_end_ms_ = 0;
};

} // namespace sb::sim
