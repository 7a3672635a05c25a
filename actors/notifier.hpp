#pragma once
// Delivers the notification outbox: POSTs each job card (JSON) to its
// tenant's push URL, at least once. Failures are retried with exponential
// backoff (notifier_config); the attempt count and next time live in SQLite,
// so nothing is lost when the endpoint is down or the process restarts.
//
// Messages: wake_atom (check the outbox now; the finalizer sends it after a
// call), tick_atom (internal poll), delivery_outcome (internal), shutdown_atom.

#include "actors/services.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

namespace sb::actors {

caf::actor spawn_notifier(caf::actor_system& sys, services svc);

} // namespace sb::actors
