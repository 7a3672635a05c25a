#pragma once
// The only actor that touches SQLite (docs/STYLE.md 8). It runs detached (its own
// thread) because SQLite calls block. Every write of the process goes through
// it, so the store is used from one thread only. Its messages and answers:
// storage_actor in actors/interfaces.hpp. A failed statement replies
// call_error::storage_failed with the store's message; it never stops the
// actor. Failed writes (and the first good one after) are reported to the
// registry for the health check.

#include "actors/interfaces.hpp"
#include "storage/store.hpp"

#include <caf/actor_system.hpp>

#include <memory>

namespace sb::actors {

storage_actor spawn_storage(caf::actor_system& sys, std::shared_ptr<storage::store> db);

} // namespace sb::actors
