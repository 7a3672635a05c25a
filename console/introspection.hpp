#pragma once
// The introspection actor (issue 5): every call actor reports itself here
// (actor_report when it starts and when polled; the supervisor's call_report
// and call_line on each change), and this actor alone keeps the console's
// view of all calls. It polls the call actors every report_interval while a
// console feed is open and every report_idle_interval while none is, and
// pushes the view as a JSON snapshot (console/view.hpp) to every subscribed
// console WebSocket when it changed, at most every push_interval.
//
// Its messages: introspection_actor in actors/interfaces.hpp.

#include "actors/interfaces.hpp"

#include <caf/actor_system.hpp>

#include <chrono>

namespace sb::console {

struct introspection_options {
  std::chrono::milliseconds push_interval{250};          ///< the feed, at most this often
  std::chrono::milliseconds report_interval{500};        ///< polls while a feed is open
  std::chrono::milliseconds report_idle_interval{5'000}; ///< polls while none is
};

actors::introspection_actor spawn_introspection(caf::actor_system& sys,
                                                introspection_options opts = {});

} // namespace sb::console
