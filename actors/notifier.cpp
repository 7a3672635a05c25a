#include "actors/notifier.hpp"

#include "common/log.hpp"
#include "common/time.hpp"
#include "net/http_client.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <set>

namespace sb::actors {

namespace {

struct notifier_state {
  services svc;
  std::set<int64_t> in_flight; ///< outbox ids being sent
  bool polling = false;        ///< a due_notifications request is out
  health_sink_actor sink;      ///< the registry, once it has introduced itself
  static inline const char* name = "notifier";
};

using self_ptr = notifier_actor::stateful_pointer<notifier_state>;

void send_one(self_ptr self, const storage::outbox_entry& e) {
  const auto& cfg = self->state.svc.cfg->notifier;
  net::http_client_request req;
  req.url = e.url;
  req.body = e.body;
  req.ca_file = cfg.ca_file;
  req.timeout = cfg.request_timeout;
  req.headers.emplace_back("User-Agent", "switchboard-notifier");
  auto me = caf::actor_cast<notifier_actor>(self);
  net::http_send(*self->state.svc.io, std::move(req), [me, e](net::http_client_result r) {
    caf::anon_send(me, delivery_outcome{e, r.status, r.error});
  });
}

void poll(self_ptr self) {
  auto& st = self->state;
  if (st.polling)
    return;
  st.polling = true;
  self->request(st.svc.storage, st.svc.cfg->call.outbox_query, due_notifications{now_ms(), 32})
      .then(
          [self](std::vector<storage::outbox_entry>& due) {
            self->state.polling = false;
            for (auto& e : due)
              if (self->state.in_flight.insert(e.id).second)
                send_one(self, e);
          },
          [self](caf::error&) { self->state.polling = false; });
}

/// Tells the health check how many notifications wait and since when (not
/// only the due ones: an entry waiting out its backoff is backed up too).
void report_backlog(self_ptr self) {
  auto& st = self->state;
  if (!st.sink)
    return;
  self->request(st.svc.storage, st.svc.cfg->call.outbox_query, outbox_backlog_query{})
      .then([self](storage::outbox_backlog& b) { self->send(self->state.sink, outbox_report{b}); },
            [](caf::error&) {}); // storage logged it, and reports its own failures
}

/// Stores a delivery's outcome. A failed write leaves the entry due: it is
/// sent again (at least once), never lost. The entry stays in flight until
/// the outcome is stored: a poll answered in between (it still finds the
/// entry due) must not send it a second time.
template <class Outcome> void record(self_ptr self, Outcome outcome, int64_t id) {
  self->request(self->state.svc.storage, self->state.svc.cfg->call.storage_write,
                std::move(outcome))
      .then([self, id](stored_atom) { self->state.in_flight.erase(id); },
            [self, id](caf::error& e) {
              self->state.in_flight.erase(id);
              log::warn("Notifier", "The outcome of notification " + std::to_string(id) +
                                        " was not stored: " + caf::to_string(e));
            });
}

void on_outcome(self_ptr self, delivery_outcome& o) {
  auto& st = self->state;
  const auto& cfg = st.svc.cfg->notifier;
  if (o.error.empty() && o.status >= 200 && o.status < 300) {
    log::info("Notifier", "Delivered job notification " + std::to_string(o.entry.id));
    record(self, notification_delivered{o.entry.id}, o.entry.id);
    return;
  }
  int attempts = o.entry.attempts + 1;
  // Exponential backoff: initial * 2^(attempts-1), capped.
  int64_t backoff = cfg.initial_backoff.count();
  for (int i = 1; i < attempts && backoff < cfg.max_backoff.count(); ++i)
    backoff *= 2;
  backoff = std::min<int64_t>(backoff, cfg.max_backoff.count());
  bool give_up = attempts >= cfg.max_attempts;
  std::string why = o.error.empty() ? "HTTP " + std::to_string(o.status) : o.error;
  log::warn("Notifier",
            "Notification " + std::to_string(o.entry.id) + " failed (" + why + "), attempt " +
                std::to_string(attempts) +
                (give_up ? ", giving up" : ", retrying in " + std::to_string(backoff) + " ms"));
  record(self, notification_failed{o.entry.id, attempts, now_ms() + backoff, why, give_up},
         o.entry.id);
}

notifier_actor::behavior_type notifier(self_ptr self, services svc) {
  self->state.svc = std::move(svc);
  self->send(self, tick_atom::value);
  return {
      [self](tick_atom) {
        poll(self);
        report_backlog(self);
        self->delayed_send(self, self->state.svc.cfg->notifier.poll_interval, tick_atom::value);
      },
      [self](wake_atom) { poll(self); },
      [self](delivery_outcome& o) { on_outcome(self, o); },
      [self](health_sink_atom, health_sink_actor& sink) { self->state.sink = std::move(sink); },
      [self](shutdown_atom) { self->quit(); },
  };
}

} // namespace

notifier_actor spawn_notifier(caf::actor_system& sys, services svc) {
  return sys.spawn(notifier, std::move(svc));
}

} // namespace sb::actors
