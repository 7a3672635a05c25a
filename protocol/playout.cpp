// Playout tracking from Twilio mark echoes (docs/protocols.md 2, 3). Twilio
// plays the outbound queue in order and echoes each mark once the audio
// before it has played; on `clear` it echoes every pending mark at once, and
// those echoes say nothing about playback.

#include "protocol/playout.hpp"

#include "protocol/mulaw.hpp"

#include <algorithm>

namespace sb::proto {

std::string playout_tracker::on_audio_sent(std::string_view item_id, std::size_t bytes) {
  std::string item(item_id);
  std::size_t& sent = sent_bytes_[item];
  sent += bytes;
  std::string name = prefix_ + std::to_string(next_++);
  pending_.push_back(pending_mark{name, std::move(item), sent});
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
  pending_.erase(pending_.begin(), end);
  return true;
}

playout_tracker::cut playout_tracker::on_clear() {
  cut result;
  // The oldest pending mark belongs to the chunk that was playing when the
  // queue was dropped; with nothing pending the caller heard all of the last
  // confirmed item.
  result.item_id = pending_.empty() ? last_heard_item_ : pending_.front().item_id;
  if (!result.item_id.empty())
    result.heard_ms = heard_ms(result.item_id);
  for (auto& m : pending_)
    cleared_.emplace(std::move(m.name), true);
  pending_.clear();
  return result;
}

int64_t playout_tracker::heard_ms(std::string_view item_id) const {
  auto it = heard_bytes_.find(std::string(item_id));
  if (it == heard_bytes_.end())
    return 0;
  return static_cast<int64_t>(it->second / mulaw_bytes_per_ms);
}

} // namespace sb::proto
