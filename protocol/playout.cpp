// Playout tracking from Twilio mark echoes and the stream's clock
// (docs/protocols.md 2, 3). Twilio plays the outbound queue in order and
// echoes each mark once the audio before it has played; on `clear` it echoes
// every pending mark at once, and those echoes say nothing about playback.
//
// The playback clock. Twilio plays its queue without pause, in real time, on
// the clock the inbound media.timestamp counts ("Presentation Timestamp in
// Milliseconds from the start of the stream", Twilio Media Streams docs,
// WebSocket Messages). From an instant at which the position is known,
// position(t) = known + 8 bytes/ms * (t - then), never past what was sent (an
// empty queue plays nothing). Two kinds of instants are known:
//  1. audio sent while the clock says everything before it has played starts
//     playing now: anchor (bytes sent, now). Twilio's published Node sample
//     (twilio-samples/speech-assistant-openai-realtime-api-node, index.js:
//     responseStartTimestampTwilio = latestMediaTimestamp at a response's
//     first delta; truncate at latestMediaTimestamp - that) takes this anchor
//     once per response, which is right only if Twilio's queue was empty then
//     and the reply never ran dry. Re-anchoring at every underrun keeps it
//     right when a reply follows audio still queued, or pauses. The send and
//     the later `clear` travel the same way to Twilio, and the caller's frames
//     the same way back, so the stream time between them is what the caller
//     heard when the clear landed: no network delay to correct for.
//  2. an echoed mark: its bytes had played when the echo was read. Exact at
//     the chunk end, but the echo left Twilio a trip ago and the clear still
//     has to get there: extrapolating from it (heard at the last echo + the
//     stream time since) falls short by a round trip. So an echo is a floor:
//     the clock is moved up to it when it is behind (Twilio started later
//     than we thought), never back.
// heard = min(sent, max(clock, echoed floor)), to within one 20 ms frame of
// stream time (the clock advances by whole frames).

#include "protocol/playout.hpp"

#include "protocol/mulaw.hpp"

#include <algorithm>

namespace sb::proto {

int64_t playout_tracker::clock_at(int64_t at_ms) const {
  return anchor_bytes_ + (at_ms - anchor_ms_) * mulaw_bytes_per_ms;
}

int64_t playout_tracker::played_at(int64_t at_ms) const {
  if (at_ms < 0 || anchor_ms_ < 0)
    return confirmed_; // no stream clock yet: echoes only
  return std::clamp(clock_at(at_ms), confirmed_, stream_sent_);
}

std::string playout_tracker::on_audio_sent(std::string_view item_id, std::size_t bytes) {
  if (now_ms_ >= 0 && played_at(now_ms_) >= stream_sent_)
    set_anchor(stream_sent_, now_ms_); // the queue had run dry: this plays from now
  stream_sent_ += static_cast<int64_t>(bytes);
  std::string item(item_id);
  std::size_t& sent = sent_bytes_[item];
  sent += bytes;
  std::string name = prefix_ + std::to_string(next_++);
  pending_.push_back(pending_mark{name, std::move(item), sent, stream_sent_});
  return name;
}

bool playout_tracker::on_mark(std::string_view name) {
  std::string key(name);
  if (auto it = cleared_.find(key); it != cleared_.end()) {
    cleared_.erase(it);
    return false;
  }
  auto found = std::find_if(pending_.begin(), pending_.end(),
                            [&](const pending_mark& m) { return m.name == name; });
  if (found == pending_.end())
    return false;
  // Playback is in order: a later mark's echo means the earlier ones played
  // too, even if their echoes were lost.
  auto end = std::next(found);
  for (auto it = pending_.begin(); it != end; ++it) {
    std::size_t& heard = heard_bytes_[it->item_id];
    heard = std::max(heard, it->end_bytes);
    last_heard_item_ = it->item_id;
  }
  confirmed_ = std::max(confirmed_, found->stream_end);
  if (now_ms_ >= 0 && clock_at(now_ms_) < confirmed_)
    set_anchor(confirmed_, now_ms_); // the floor: the clock was behind
  pending_.erase(pending_.begin(), end);
  return true;
}

playout_tracker::cut playout_tracker::on_clear() {
  cut result;
  if (pending_.empty()) {
    // Nothing queued: the caller heard all of the last confirmed item.
    result.item_id = last_heard_item_;
    result.heard_ms = result.item_id.empty() ? 0 : heard_ms(result.item_id);
  } else {
    // The chunk holding the estimated play position is the one playing
    // (chunks are contiguous in stream bytes); past the last one, the echoes
    // are still on their way and the last item played to its end.
    const int64_t at = played_at(now_ms_);
    auto playing = std::find_if(pending_.begin(), pending_.end(),
                                [at](const pending_mark& m) { return m.stream_end > at; });
    if (playing == pending_.end())
      playing = std::prev(pending_.end());
    const int64_t into_item =
        static_cast<int64_t>(playing->end_bytes) - std::max<int64_t>(playing->stream_end - at, 0);
    result.item_id = playing->item_id;
    result.heard_ms = std::max(into_item / mulaw_bytes_per_ms, heard_ms(playing->item_id));
  }
  for (auto& m : pending_)
    cleared_.emplace(std::move(m.name), true);
  pending_.clear();
  // Twilio dropped the rest: the next audio starts from an empty queue.
  confirmed_ = stream_sent_;
  if (now_ms_ >= 0)
    set_anchor(stream_sent_, now_ms_);
  return result;
}

int64_t playout_tracker::heard_ms(std::string_view item_id) const {
  auto it = heard_bytes_.find(std::string(item_id));
  if (it == heard_bytes_.end())
    return 0;
  return static_cast<int64_t>(it->second / mulaw_bytes_per_ms);
}

} // namespace sb::proto
