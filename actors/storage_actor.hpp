#pragma once
// The only actor that touches SQLite (docs/STYLE.md 8). It runs detached (its own
// thread) because SQLite calls block. Every write of the process goes through
// it, so the store is used from one thread only. Its messages and answers:
// storage_actor in actors/interfaces.hpp.
//
// A write the database refuses for a reason of its environment (full,
// read-only, locked by another connection, an I/O error: write_queue's
// classify) is kept in memory, in order, and retried with backoff; writes
// after it wait behind it (actors/write_queue.hpp). Its requester is
// answered at once as if written (a finalize with job_card_pending): the
// call never waits for the database. A write that is itself wrong is
// logged, dropped and answered call_error::storage_failed. A failed read
// answers call_error::storage_failed. The registry hears of every failure,
// of the writes waiting, and of the first good write or the drained queue
// (storage_write_report), for the health check. Nothing stops the actor.

#include "actors/interfaces.hpp"
#include "actors/write_queue.hpp"
#include "metrics/switchboard_metrics.hpp"
#include "storage/store.hpp"

#include <caf/actor_system.hpp>

#include <memory>

namespace sb::actors {

/// finalize_call's answer when the write waits in memory for the database:
/// the job card has no id yet (it is written, and pushed, when the database
/// takes it).
inline constexpr int64_t job_card_pending = -1;

struct storage_actor_options {
  write_queue::options retry; ///< backoff and cap of the writes kept in memory
  std::shared_ptr<metrics::switchboard_metrics> metrics; ///< may be null
};

storage_actor spawn_storage(caf::actor_system& sys, std::shared_ptr<storage::store> db,
                            storage_actor_options opts = {});

} // namespace sb::actors
