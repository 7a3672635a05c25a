// The storage actor's write path: a write run now or kept behind those the
// database refused, retried with backoff, and tried once more at shutdown
// (actors/storage_actor.hpp, actors/write_queue.hpp).
#include "actors/storage_state.hpp"

namespace sb::actors::detail {

caf::error fail(const sb::error& e) {
  log::error("Storage", e.message);
  return make_error(call_error::storage_failed, e.message);
}

/// Tells the health check how writing goes: each failure, the writes
/// waiting, and the first success after a failure (or the queue drained).
/// "not_found" (no such call or notification) is the store answering, not
/// failing.
void report_write(storage_ptr self, const sb::error* e) {
  auto& st = self->state;
  bool ok = e == nullptr || e->code == "not_found";
  auto pending = static_cast<int64_t>(st.waiting.size());
  if (st.metrics) {
    st.metrics->storage_pending_writes.set(static_cast<double>(pending));
    if (!ok)
      st.metrics->storage_write_failures.inc();
  }
  if (ok && st.last_write_ok && pending == 0)
    return;
  st.last_write_ok = ok && pending == 0;
  if (st.sink)
    self->send(st.sink, storage_write_report{ok, ok ? std::string{} : e->message, pending});
}

namespace {

void schedule_retry(storage_ptr self) {
  auto& st = self->state;
  if (st.retry_scheduled || st.waiting.empty())
    return;
  st.retry_scheduled = true;
  self->delayed_send(self, st.waiting.backoff(), tick_atom::value);
}

} // namespace

/// Logs a write given up: it was wrong, and trying it again cannot help.
void log_dropped(storage_ptr self, const std::string& what, const sb::error& why) {
  log::error("Storage",
             "A write was dropped (" + what +
                 "): it failed for a reason of its own, not the database's: " + why.message);
  if (self->state.metrics)
    self->state.metrics->storage_writes_dropped.inc();
}

/// Keeps `attempt` behind the writes waiting, and says so once per outage
/// and when the queue goes over its cap (it still keeps the write: losing a
/// job card is worse than the memory it takes).
void keep(storage_ptr self, std::string what, write_queue::attempt attempt) {
  auto& st = self->state;
  st.waiting.push(std::move(what), std::move(attempt));
  if (st.waiting.over_cap() && !st.over_cap_logged) {
    st.over_cap_logged = true;
    log::error("Storage", "More than " + std::to_string(st.waiting.limits().max_pending) +
                              " writes wait for the database ([storage] max_pending_writes); "
                              "they are all kept in memory until it recovers");
  }
  schedule_retry(self);
}

/// The retry timer: the writes waiting, in order, until one is refused again.
void retry(storage_ptr self) {
  auto& st = self->state;
  st.retry_scheduled = false;
  auto before = st.waiting.size();
  auto d = st.waiting.drain();
  for (const auto& w : d.dropped)
    log_dropped(self, w.what, w.why);
  if (d.blocked_by) {
    report_write(self, &*d.blocked_by);
    schedule_retry(self);
    return;
  }
  log::info("Storage", "The database took the " + std::to_string(before) +
                           " write(s) kept in memory (" + std::to_string(d.written) + " written, " +
                           std::to_string(d.dropped.size()) + " dropped)");
  st.over_cap_logged = false;
  report_write(self, nullptr);
}

/// At shutdown: one last try; what is still refused is lost, and named.
void last_try(storage_ptr self) {
  auto& st = self->state;
  if (st.waiting.empty())
    return;
  auto d = st.waiting.drain();
  for (const auto& w : d.dropped)
    log_dropped(self, w.what, w.why);
  if (!d.blocked_by)
    return;
  for (const auto& what : st.waiting.waiting())
    log::error("Storage", "Not written at shutdown, the database still refusing (" +
                              d.blocked_by->message + "): " + what);
}

} // namespace sb::actors::detail
