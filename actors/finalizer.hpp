#pragma once
// Writes a finished call to SQLite, whatever ended it: waits for the
// transcript's last turn to be stored, then in one transaction the call
// record (end reason, token usage), its job card, and a push notification in
// the outbox; then wakes the notifier. A call with no booking details still
// gets a job card, marked needs_review. Replies `int64_t` (job id) to the
// supervisor's request, or an error if storage failed.

#include "actors/services.hpp"
#include "storage/records.hpp"

#include <caf/actor.hpp>

namespace sb::actors {

struct finalize_args {
  storage::call_record call;
  storage::tenant tenant;
  storage::booking booking;
  caf::actor transcript; ///< flushed first (may be invalid)
};

/// Spawns the finalizer; it quits after replying to `finalize_atom`-less
/// start: the supervisor requests `finalize_args` from it.
caf::actor spawn_finalizer(caf::local_actor* parent, services svc);

} // namespace sb::actors
