#pragma once
// One call's recording (issue 17.3): the caller on the left channel, what the
// caller heard of the assistant on the right, time-aligned on the stream's
// clock (media.timestamp, ms since the stream started), silence where nobody
// spoke.
//
// The right channel follows the playback model of protocol/playout.cpp:
// Twilio plays its queue in order, in real time, on the stream's clock; audio
// sent when the queue is empty starts playing at the end of the caller frame
// last received (the stream time now). A `clear` drops everything not played
// by then: that audio is cut from the right channel, as it never reached the
// caller. So a sample is final once the stream clock has passed it; final
// samples go to the wav_writer about once a second (never on the io thread's
// time: the writer has its own thread).
//
// Memory: the caller's unwritten audio (at most ~1 s) and the assistant audio
// queued at Twilio and not yet played, bounded at max_queued_s of audio
// (60 s, 480 KB); audio past that is dropped (as Twilio would play it late
// anyway) and counted.
//
// Not thread-safe: the relay calls it with its mutex held.

#include "recording/wav_writer.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace sb::recording {

class call_recorder {
public:
  call_recorder(std::shared_ptr<wav_writer> writer, std::string path);
  ~call_recorder(); ///< finish() if not done
  call_recorder(const call_recorder&) = delete;
  call_recorder& operator=(const call_recorder&) = delete;

  /// A caller frame (mu-law) with its media.timestamp (-1: none, it follows
  /// the previous frame).
  void caller_frame(int64_t stream_ms, std::string_view mulaw);
  /// Assistant audio (mu-law) sent to Twilio: it plays after what is queued.
  void assistant_sent(std::string_view mulaw);
  /// `clear` was sent: what had not played by now is cut.
  void cleared();
  /// The stream ended: the file is written up to the last caller frame
  /// (assistant audio still queued then was never heard) and closed.
  void finish();

  static constexpr int64_t max_queued_s = 60;
  int64_t dropped_samples() const { return dropped_; }

private:
  void commit(int64_t upto); ///< samples [committed_, upto) to the writer

  std::shared_ptr<wav_writer> writer_;
  wav_writer::file_id file_;
  bool finished_ = false;
  // Positions in samples (8 per ms) since the stream started.
  int64_t committed_ = 0; ///< written to the writer up to here
  int64_t now_ = 0;       ///< the end of the latest caller frame: the stream time
  int64_t play_end_ = 0;  ///< where the assistant audio queued at Twilio ends
  std::string caller_;    ///< mu-law from committed_ on
  std::string assistant_; ///< mu-law from committed_ on (0xFF: silence)
  int64_t dropped_ = 0;
};

} // namespace sb::recording
