#pragma once
// The introspection actor (issue 5): every call actor reports itself here
// (actor_report every 500 ms; the supervisor's call_report and call_line on
// each change), and this actor alone keeps the console's view of all calls.
// It pushes that view as a JSON snapshot (console/view.hpp) to every
// subscribed console WebSocket when it changed, at most every 250 ms.
//
// Messages in:
//   actor_report, call_report, call_line      (call actors)
//   feed_subscribe, feed_unsubscribe          (console routes: the feed socket)
//   (attach_atom, caf::actor registry)        (server: where hang-ups go)
//   (hangup_atom, std::string sid, http_query) -> 202 {"ok":true} / 404
//   caf::get_atom -> std::string              (the snapshot JSON now)
// Messages out: JSON text frames to subscribers; (hangup_atom, sid) to the registry.

#include "config/config.hpp"
#include "net/ws_connection.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/allowed_unsafe_message_type.hpp>

#include <cstdint>

namespace sb::console {

/// A console WebSocket that wants the feed.
struct feed_subscribe {
  net::ws_connection_ptr conn;
};

/// That socket closed (identified by address: holding the pointer would
/// keep a closed connection alive).
struct feed_unsubscribe {
  std::uintptr_t conn = 0;
};

caf::actor spawn_introspection(caf::actor_system& sys, prices_config prices);

} // namespace sb::console

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::console::feed_subscribe)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sb::console::feed_unsubscribe)
