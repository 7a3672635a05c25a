#include "actors/slot_holds.hpp"

#include "common/log.hpp"
#include "receptionist/slot_holds.hpp"

#include <caf/all.hpp>

#include <map>

namespace sb::actors {

namespace {

struct holds_state {
  receptionist::hold_book book;
  std::map<caf::actor_addr, std::string> owners; ///< monitored supervisor -> its call
  static inline const char* name = "slot_holds";
};

using self_ptr = slot_holds_actor::stateful_pointer<holds_state>;

/// Watches the supervisor of a call that takes its first hold. False when
/// it is gone already (the call is over: nothing may be held for it).
bool watch(self_ptr self, const hold_slot& h) {
  auto& owners = self->state.owners;
  if (owners.count(h.owner) > 0)
    return true;
  auto sup = caf::actor_cast<caf::actor>(h.owner);
  if (!sup)
    return false;
  owners.emplace(h.owner, h.call_sid);
  self->monitor(sup);
  return true;
}

hold_reply hold(self_ptr self, const hold_slot& h) {
  if (!watch(self, h))
    return {false, {}};
  auto clash = self->state.book.hold(h.call_sid, {h.tenant_number, h.date, h.time}, h.replace,
                                     h.slot_minutes, h.places);
  if (!clash.empty())
    return {false, std::move(clash)};
  log::debug("SlotHolds", "Call " + h.call_sid + " holds " + h.date + " " + h.time);
  return {true, {}};
}

void release(self_ptr self, const std::string& call_sid) {
  self->state.book.release(call_sid);
  auto& owners = self->state.owners;
  for (auto it = owners.begin(); it != owners.end(); ++it)
    if (it->second == call_sid) {
      self->demonitor(it->first);
      owners.erase(it);
      return;
    }
}

slot_holds_actor::behavior_type slot_holds(self_ptr self, int slot_minutes) {
  self->state.book = receptionist::hold_book{slot_minutes};
  self->set_down_handler([self](caf::down_msg& dm) {
    auto it = self->state.owners.find(dm.source);
    if (it == self->state.owners.end())
      return;
    log::debug("SlotHolds", "Call " + it->second + " gone: its holds released");
    self->state.book.release(it->second);
    self->state.owners.erase(it);
  });
  return {
      [self](hold_slot& h) { return hold(self, h); },
      [self](release_holds& r) { release(self, r.call_sid); },
      [self](count_atom) { return static_cast<int>(self->state.book.size()); },
  };
}

} // namespace

slot_holds_actor spawn_slot_holds(caf::actor_system& sys, int slot_minutes) {
  return sys.spawn(slot_holds, slot_minutes);
}

} // namespace sb::actors
