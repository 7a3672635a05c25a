#pragma once
// Slots offered to callers but not yet booked ("Loose ends" 3, double
// booking). check_availability counts the jobs already written, and a job is
// written only when its call ends: while a call has offered a slot, no other
// call may be told that slot is free. This is the bookkeeping, without I/O;
// the slot_holds actor (actors/slot_holds.hpp) owns the process's one book
// and releases a call's holds when the call ends.

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace sb::receptionist {

/// One slot of one business's calendar.
struct held_slot {
  std::string tenant_number;
  std::string date; ///< YYYY-MM-DD
  std::string time; ///< HH:MM
};

/// Do two slots of `slot_minutes` starting at "HH:MM" a and b overlap?
/// False when either is not a time.
bool slots_overlap(std::string_view a, std::string_view b, int slot_minutes);

/// The times in `times` whose slots overlap the one at `time`.
std::vector<std::string> overlapping(const std::vector<std::string>& times, std::string_view time,
                                     int slot_minutes);

/// Every live call's held slots. A call may hold several (each slot it was
/// offered) until it records one, which then is the only one it holds.
class hold_book {
public:
  explicit hold_book(int slot_minutes = 60) : slot_minutes_(slot_minutes) {}

  /// The times other calls hold that overlap `slot` (same tenant and day),
  /// slots being `slot_minutes` long (0: the book's).
  std::vector<std::string> conflicts(const held_slot& slot, std::string_view call_sid,
                                     int slot_minutes = 0) const;

  /// Holds `slot` for `call_sid` unless `places` or more other calls'
  /// holds overlap it (issue 17.6: places is the tenant's capacity less its
  /// stored bookings there; 1: no other hold may overlap). `replace`: the
  /// call's other holds go (the hold follows the slot recorded in the
  /// booking). Returns the overlapping times when refused (nothing changed
  /// then), empty when held. slot_minutes 0: the book's.
  std::vector<std::string> hold(const std::string& call_sid, const held_slot& slot, bool replace,
                                int slot_minutes = 0, int places = 1);

  /// Every hold of `call_sid` goes (its call ended).
  void release(const std::string& call_sid);

  /// The slots `call_sid` holds, in the order it took them.
  std::vector<held_slot> held_by(const std::string& call_sid) const;

  std::size_t size() const; ///< holds of every call

private:
  int slot_minutes_;
  std::map<std::string, std::vector<held_slot>, std::less<>> by_call_;
};

} // namespace sb::receptionist
