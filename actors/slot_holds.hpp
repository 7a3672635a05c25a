#pragma once
// The one owner of slot holds in the process ("Loose ends" 3, double
// booking): the slots live calls have been offered (check_availability) or
// have recorded (record_booking_details) and not yet turned into a job card.
// Calls' tool actors ask it to hold a slot; it refuses one another live call
// holds (receptionist/slot_holds.hpp decides). A call's holds go when its
// supervisor says the call is finalized (the job card, if any, is written by
// then) and, whatever happens to the supervisor, when it terminates: the
// actor monitors every holding supervisor. Its messages: slot_holds_actor in
// actors/interfaces.hpp.

#include "actors/interfaces.hpp"

#include <caf/fwd.hpp>

namespace sb::actors {

slot_holds_actor spawn_slot_holds(caf::actor_system& sys, int slot_minutes);

} // namespace sb::actors
