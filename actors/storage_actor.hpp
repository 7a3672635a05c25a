#pragma once
// The only actor that touches SQLite (STYLE.md 8). It runs detached (its own
// thread) because SQLite calls block. Every write of the process goes through
// it, so the store is used from one thread only.
//
// Messages (request -> reply):
//   find_tenant            -> std::optional<storage::tenant>
//   begin_call             -> ack_atom
//   append_turn            -> ack_atom
//   set_recording          -> ack_atom
//   finalize_call          -> int64_t (job id)
//   jobs_on_day            -> std::vector<storage::job>
//   due_notifications      -> std::vector<storage::outbox_entry>
//   notification_delivered -> ack_atom
//   notification_failed    -> ack_atom
// A failed statement replies with a caf::error (sec::runtime_error) carrying
// the store's message; it never stops the actor.

#include "storage/store.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include <memory>

namespace sb::actors {

caf::actor spawn_storage(caf::actor_system& sys, std::shared_ptr<storage::store> db);

} // namespace sb::actors
