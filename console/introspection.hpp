#pragma once
// The introspection actor (issue 5): every call actor reports itself here
// (actor_report every 500 ms; the supervisor's call_report and call_line on
// each change), and this actor alone keeps the console's view of all calls.
// It pushes that view as a JSON snapshot (console/view.hpp) to every
// subscribed console WebSocket when it changed, at most every 250 ms.
//
// Its messages: introspection_actor in actors/interfaces.hpp.

#include "actors/interfaces.hpp"

#include <caf/actor_system.hpp>

namespace sb::console {

actors::introspection_actor spawn_introspection(caf::actor_system& sys);

} // namespace sb::console
