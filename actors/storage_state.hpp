#pragma once
// Internal to the storage actor (actors/storage_actor.hpp): its state and
// the functions its behaviour table (storage_actor.cpp) calls: the write
// path, with its queue of writes the database refused (storage_writes.cpp),
// and the reads made of several queries (storage_reads.cpp). Not for other
// actors.

#include "actors/storage_actor.hpp"
#include "actors/write_queue.hpp"
#include "common/log.hpp"

#include <caf/all.hpp>

#include <map>
#include <optional>
#include <type_traits>

namespace sb::actors::detail {

struct storage_state {
  std::shared_ptr<storage::store> db;
  health_sink_actor sink;    ///< the registry, once it has introduced itself
  bool last_write_ok = true; ///< so that only failures and recoveries are reported
  write_queue waiting;       ///< writes refused by the environment, in order (issue 14.5)
  bool retry_scheduled = false;
  bool over_cap_logged = false;
  std::map<int64_t, int> outcome_waiting; ///< notification id -> its outcomes in `waiting`
  std::shared_ptr<metrics::switchboard_metrics> metrics;
  std::string node_id; ///< whose outbox claims these are
  std::chrono::milliseconds outbox_claim{60'000};
  static inline const char* name = "storage";
};

using storage_ptr = storage_actor::stateful_pointer<storage_state>;

// -- the write path (storage_writes.cpp) --

/// A failed store call, logged, as the actor's error (storage_failed).
caf::error fail(const sb::error& e);
/// Tells the health check how writing goes: each failure, the writes
/// waiting, and the first success after a failure (or the queue drained).
/// "not_found" (no such call or notification) is the store answering, not
/// failing.
void report_write(storage_ptr self, const sb::error* e);
/// Logs a write given up: it was wrong, and trying it again cannot help.
void log_dropped(storage_ptr self, const std::string& what, const sb::error& why);
/// Keeps `attempt` behind the writes waiting, and says so once per outage
/// and when the queue goes over its cap (it still keeps the write: losing a
/// job card is worse than the memory it takes).
void keep(storage_ptr self, std::string what, write_queue::attempt attempt);
/// The retry timer: the writes waiting, in order, until one is refused again.
void retry(storage_ptr self);
/// At shutdown: one last try; what is still refused is lost, and named.
void last_try(storage_ptr self);

/// Runs `op` now, or queues it behind the writes waiting. A write refused by
/// the environment is kept and retried (its requester is answered `queued`
/// at once: nothing on the call's path waits for the database); a wrong
/// write is logged, dropped and answered with its error.
template <class T, class Op>
caf::result<T> write(storage_ptr self, std::string what, Op op, T queued, int64_t outcome_of = 0) {
  auto& st = self->state;
  auto as_attempt = [op]() mutable -> status {
    auto r = op();
    if (r || r.err().code == "not_found")
      return ok_status();
    return r.err();
  };
  if (!st.waiting.empty()) {
    if (outcome_of != 0)
      ++st.outcome_waiting[outcome_of];
    keep(self, std::move(what), std::move(as_attempt));
    report_write(self, nullptr); // the count changed; still failing
    return queued;
  }
  auto r = op();
  if (r) {
    report_write(self, nullptr);
    if constexpr (std::is_same_v<T, stored_atom>)
      return stored_atom::value;
    else
      return std::move(*r);
  }
  if (r.err().code != "not_found" && classify(r.err()) == write_failure::transient) {
    log::warn("Storage", "The database refused a write (" + what + "): " + r.err().message +
                             "; it is kept in memory and retried");
    if (outcome_of != 0)
      ++st.outcome_waiting[outcome_of];
    keep(self, std::move(what), std::move(as_attempt));
    report_write(self, &r.err());
    return queued;
  }
  report_write(self, &r.err());
  if (r.err().code == "not_found")
    return fail(r.err());
  log_dropped(self, what, r.err());
  return make_error(call_error::storage_failed, r.err().message);
}

/// A notification's outcome: while it waits in the queue its entry is not
/// due, so that a poll answered meanwhile (a full disk still reads) does not
/// push it a second time. The count goes down as the outcome leaves the
/// queue (written, or dropped); written at once, there is nothing to count.
template <class Op> auto outcome_write(storage_ptr self, int64_t id, Op op) {
  return [self, id, op]() mutable {
    auto r = op();
    if (r || r.err().code == "not_found" || classify(r.err()) == write_failure::permanent) {
      auto& w = self->state.outcome_waiting;
      if (auto it = w.find(id); it != w.end() && --it->second == 0)
        w.erase(it);
    }
    return r;
  };
}

// -- reads of several queries (storage_reads.cpp) --

/// The job card of a call finalized already (its stored end reason is set),
/// for finalize_call's `once`. This actor is the only writer, one message at
/// a time: nothing can finalize the call between this read and the write.
std::optional<int64_t> finalized_job(storage_state& st, const std::string& call_sid);
/// The calls `node_id` left open.
result<std::vector<lost_call>> lost_calls(storage::store& db, const std::string& node_id);
/// Takeover (issue 16.2): the calls claimed from a dead node, as lost_calls.
result<std::vector<lost_call>> claimed_calls(storage::store& db, const claim_calls& q);
/// load_call's answer: the row, its turns and its booking draft.
result<stored_call> stored(storage::store& db, const std::string& call_sid);
/// The due entries, less those whose outcome waits in the queue.
std::vector<storage::outbox_entry> not_waiting(const storage_state& st,
                                               std::vector<storage::outbox_entry> due);

} // namespace sb::actors::detail
