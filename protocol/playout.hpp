#pragma once
// What the caller has actually HEARD, known from the marks Twilio echoes
// (docs/protocols.md 2 and 3): every chunk of assistant audio sent to Twilio
// is followed by a uniquely named mark; an echoed mark means the audio before
// it finished playing. Marks echoed because we sent `clear` are NOT playback.

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

  struct cut {
    std::string item_id;  ///< the assistant item that was playing, or empty
    int64_t heard_ms = 0; ///< audio of item_id the caller heard: audio_end_ms for truncate
  };

  /// We sent `clear`: everything queued is dropped. Returns the item being
  /// played and how much of it was heard; marks still pending are remembered
  /// as cleared so their echoes are ignored.
  cut on_clear();

  /// Audio is queued or playing (marks pending).
  bool playing() const { return !pending_.empty(); }
  std::size_t pending_marks() const { return pending_.size(); }

  /// Milliseconds of `item_id` confirmed played.
  int64_t heard_ms(std::string_view item_id) const;

  void set_prefix(std::string prefix) { prefix_ = std::move(prefix); }

private:
  struct pending_mark {
    std::string name;
    std::string item_id;
    std::size_t end_bytes; ///< bytes of item_id sent up to this mark
  };
  std::string prefix_ = "m";
  uint64_t next_ = 0;
  std::deque<pending_mark> pending_;
  std::unordered_map<std::string, std::size_t> sent_bytes_;  ///< per item
  std::unordered_map<std::string, std::size_t> heard_bytes_; ///< per item
  std::unordered_map<std::string, bool> cleared_;            ///< mark names
  std::string last_heard_item_; ///< item of the last echoed mark (for on_clear)
};

} // namespace sb::proto
