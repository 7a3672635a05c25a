#pragma once
// Delivers the notification outbox: POSTs each job card (JSON) to its
// tenant's push URL, at least once. Failures are retried with exponential
// backoff (notifier_config); the attempt count and next time live in SQLite,
// so nothing is lost when the endpoint is down or the process restarts. At
// each poll it reports the backlog (how many wait, since when) to the
// registry for the health check.
// Its messages: notifier_actor in actors/interfaces.hpp.

#include "actors/services.hpp"

#include <caf/actor_system.hpp>

namespace sb::actors {

notifier_actor spawn_notifier(caf::actor_system& sys, services svc);

} // namespace sb::actors
