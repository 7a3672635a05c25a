#pragma once
// What the caller has HEARD of the assistant's audio (docs/protocols.md 2
// and 3). Two sources, combined:
// - the marks Twilio echoes: every chunk of assistant audio sent to Twilio
//   is followed by a uniquely named mark, and an echoed mark means the audio
//   before it finished playing (marks echoed because we sent `clear` are NOT
//   playback). Exact, but only at chunk ends (100-200 ms apart), and late by
//   the echo's trip back;
// - the stream's own clock: the inbound `media.timestamp` (ms since the
//   stream started), which advances 20 ms per caller frame while the call is
//   up, the clock Twilio's playback of our audio runs on. Between echoes the
//   playback position is interpolated with it.

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sb::proto {

class playout_tracker {
public:
  /// Records `bytes` of mu-law audio of `item_id` sent to Twilio; returns the
  /// name of the mark to send right after it ("<prefix><n>", unique per call).
  std::string on_audio_sent(std::string_view item_id, std::size_t bytes);

  /// Twilio echoed `name`. Returns false for an unknown or cleared mark.
  bool on_mark(std::string_view name);

  /// A caller frame's `media.timestamp`: the stream's clock now. Called for
  /// every inbound frame, so it only stores numbers. Out-of-order or missing
  /// (negative) timestamps are ignored; with none at all, what was heard
  /// comes from echoed marks alone.
  void on_stream_time(int64_t timestamp_ms) {
    if (timestamp_ms <= now_ms_)
      return;
    now_ms_ = timestamp_ms;
    if (anchor_ms_ < 0) // audio sent before the first frame plays from the stream's start
      set_anchor(confirmed_, timestamp_ms);
  }

  struct cut {
    std::string item_id;  ///< the assistant item that was playing, or empty
    int64_t heard_ms = 0; ///< audio of item_id the caller heard: audio_end_ms for truncate
  };

  /// We sent `clear`: everything queued is dropped. Returns the item being
  /// played and how much of it was heard (estimated at the latest stream
  /// time, see playout.cpp); marks still pending are remembered as cleared
  /// so their echoes are ignored.
  cut on_clear();

  /// Audio is queued or playing (marks pending).
  bool playing() const { return !pending_.empty(); }
  std::size_t pending_marks() const { return pending_.size(); }

  /// Milliseconds of `item_id` confirmed played by echoed marks.
  int64_t heard_ms(std::string_view item_id) const;

  void set_prefix(std::string prefix) { prefix_ = std::move(prefix); }

private:
  struct pending_mark {
    std::string name;
    std::string item_id;
    std::size_t end_bytes; ///< bytes of item_id sent up to this mark
    int64_t stream_end;    ///< bytes of all items sent up to this mark
  };

  void set_anchor(int64_t bytes, int64_t at_ms) {
    anchor_bytes_ = bytes;
    anchor_ms_ = at_ms;
  }
  /// Bytes (of all items) the playback clock says had played at stream time
  /// `at_ms`, before the bounds of played_at().
  int64_t clock_at(int64_t at_ms) const;
  /// Bytes estimated played at stream time `at_ms`: the clock, no less than
  /// the echoes confirm and no more than was sent.
  int64_t played_at(int64_t at_ms) const;

  std::string prefix_ = "m";
  uint64_t next_ = 0;
  std::deque<pending_mark> pending_;
  std::unordered_map<std::string, std::size_t> sent_bytes_;  ///< per item
  std::unordered_map<std::string, std::size_t> heard_bytes_; ///< per item
  std::unordered_map<std::string, bool> cleared_;            ///< mark names
  std::string last_heard_item_; ///< item of the last echoed mark (for on_clear)

  // -- the playback clock, in bytes of the whole outbound stream --
  int64_t stream_sent_ = 0; ///< sent to Twilio, all items
  int64_t confirmed_ = 0;   ///< echoed as played, or dropped by a clear
  int64_t now_ms_ = -1;     ///< latest inbound media.timestamp
  int64_t anchor_bytes_ = 0;
  int64_t anchor_ms_ = -1; ///< at stream time anchor_ms_, anchor_bytes_ had played
};

} // namespace sb::proto
