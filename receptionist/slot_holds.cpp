#include "receptionist/slot_holds.hpp"

#include "receptionist/hours.hpp"

#include <algorithm>

namespace sb::receptionist {

bool slots_overlap(std::string_view a, std::string_view b, int slot_minutes) {
  auto x = minutes_of(a), y = minutes_of(b);
  return x && y && *x < *y + slot_minutes && *y < *x + slot_minutes;
}

std::vector<std::string> overlapping(const std::vector<std::string>& times, std::string_view time,
                                     int slot_minutes) {
  std::vector<std::string> out;
  for (const auto& t : times)
    if (slots_overlap(t, time, slot_minutes))
      out.push_back(t);
  return out;
}

std::vector<std::string> hold_book::conflicts(const held_slot& slot, std::string_view call_sid,
                                              int slot_minutes) const {
  if (slot_minutes <= 0)
    slot_minutes = slot_minutes_;
  std::vector<std::string> out;
  for (const auto& [sid, slots] : by_call_) {
    if (sid == call_sid)
      continue;
    for (const auto& s : slots)
      if (s.tenant_number == slot.tenant_number && s.date == slot.date &&
          slots_overlap(s.time, slot.time, slot_minutes))
        out.push_back(s.time);
  }
  return out;
}

std::vector<std::string> hold_book::hold(const std::string& call_sid, const held_slot& slot,
                                         bool replace, int slot_minutes, int places) {
  auto clash = conflicts(slot, call_sid, slot_minutes);
  if (static_cast<int>(clash.size()) >= places)
    return clash.empty() ? std::vector<std::string>{slot.time} : clash; // places <= 0: full
  auto& mine = by_call_[call_sid];
  if (replace)
    mine.clear();
  auto same = [&](const held_slot& s) {
    return s.tenant_number == slot.tenant_number && s.date == slot.date && s.time == slot.time;
  };
  if (std::none_of(mine.begin(), mine.end(), same))
    mine.push_back(slot);
  return {};
}

void hold_book::release(const std::string& call_sid) {
  by_call_.erase(call_sid);
}

std::vector<held_slot> hold_book::held_by(const std::string& call_sid) const {
  auto it = by_call_.find(call_sid);
  return it == by_call_.end() ? std::vector<held_slot>{} : it->second;
}

std::size_t hold_book::size() const {
  std::size_t n = 0;
  for (const auto& [sid, slots] : by_call_)
    n += slots.size();
  return n;
}

} // namespace sb::receptionist
