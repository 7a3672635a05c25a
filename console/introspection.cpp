#include "console/introspection.hpp"

#include "common/time.hpp"
#include "console/view.hpp"

#include <caf/all.hpp>

#include <algorithm>

#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <vector>

namespace sb::console {

namespace {

struct introspection_state {
  console_view view;
  std::set<std::string> finished_sids; ///< late reports of these are dropped
  std::vector<net::ws_connection_ptr> subscribers;
  /// Whom a poll asks for a report: each call's actors by name, from their
  /// reports' sender (weak: a poll never keeps an actor alive).
  std::map<std::string, std::map<std::string, caf::actor_addr>> reporters;
  bool dirty = false;
  introspection_options opts;
  int64_t last_poll_ms = 0;
  int64_t watched_since_ms = 0; ///< the first subscriber's arrival; 0: nobody reads
  static inline const char* name = "introspection";
};

using self_ptr = actors::introspection_actor::stateful_pointer<introspection_state>;

/// The live view of a call, or null when it has finished already (a child's
/// last report can arrive after the supervisor's final one).
call_view* live(self_ptr self, const std::string& sid) {
  if (sid.empty() || self->state.finished_sids.count(sid) != 0)
    return nullptr;
  return &self->state.view.active[sid];
}

int64_t ms(std::chrono::milliseconds d) {
  return static_cast<int64_t>(d.count());
}

/// How long an actor may go without a report before the view shows it down:
/// three polls. For the first three polls after someone started reading,
/// reports of the slow pace still count (the first poll's answers may not
/// be in yet).
int64_t stale_after(const introspection_state& st, int64_t now) {
  auto watched = 3 * ms(st.opts.report_interval);
  if (st.watched_since_ms != 0 && now - st.watched_since_ms >= watched)
    return watched;
  return watched + 3 * ms(st.opts.report_idle_interval);
}

std::string snapshot(self_ptr self) {
  auto now = now_ms();
  return snapshot_json(self->state.view, now, stale_after(self->state, now));
}

void push(self_ptr self) {
  auto& st = self->state;
  st.dirty = false;
  if (st.subscribers.empty())
    return;
  auto json = snapshot(self);
  for (auto& c : st.subscribers)
    c->send_text(json);
}

/// Asks every live call actor for its report. An actor that has gone (its
/// address expired) is skipped; a restarted child registers under its name
/// again with its first report.
void poll(self_ptr self, int64_t now) {
  auto& st = self->state;
  st.last_poll_ms = now;
  for (const auto& [sid, actors] : st.reporters)
    for (const auto& [name, addr] : actors)
      if (auto a = caf::actor_cast<actors::introspected_actor>(addr))
        self->send(a, actors::report_atom::value);
}

/// Polls at the pace of the moment: call.report_interval while a console
/// reads, call.report_idle_interval while none does. An unwatched console
/// then costs a few messages per call every few seconds, not five reports
/// and five timers per call every 500 ms (bench/RESULTS.md).
void on_tick(self_ptr self) {
  auto& st = self->state;
  auto now = now_ms();
  auto every = st.subscribers.empty() ? st.opts.report_idle_interval : st.opts.report_interval;
  if (now - st.last_poll_ms >= ms(every))
    poll(self, now);
  if (st.dirty)
    push(self);
}

/// A transcript line. A line naming an item already shown replaces it: a
/// barge-in's cut reply (the transcript actor's) replaces the full one.
void on_line(self_ptr self, actors::call_line& l) {
  auto* c = live(self, l.call_sid);
  if (!c)
    return;
  self->state.dirty = true;
  if (!l.item_id.empty()) {
    auto same = std::find_if(c->lines.rbegin(), c->lines.rend(), [&](const actors::call_line& o) {
      return o.item_id == l.item_id && o.kind == l.kind;
    });
    if (same != c->lines.rend()) {
      // The time and latency stay those of the reply.
      same->text = std::move(l.text);
      same->unheard = std::move(l.unheard);
      return;
    }
  }
  c->lines.push_back(std::move(l));
  if (c->lines.size() > max_lines)
    c->lines.pop_front();
}

void on_call_report(self_ptr self, actors::call_report& r) {
  auto& st = self->state;
  auto sid = r.call.call_sid;
  auto* c = live(self, sid);
  if (!c)
    return;
  c->report = std::move(r);
  c->has_report = true;
  st.dirty = true;
  if (c->report.phase != call_phase::finished)
    return;
  c->ended_at_ms = now_ms();
  st.reporters.erase(sid);
  st.view.finished.push_front(std::move(*c));
  st.view.active.erase(sid);
  st.finished_sids.insert(sid);
  while (st.view.finished.size() > max_finished) {
    st.finished_sids.erase(st.view.finished.back().report.call.call_sid);
    st.view.finished.pop_back();
  }
}

// The options are a spawn argument: CAF 0.17's spawn of a function actor
// without arguments dereferences a null pointer (UBSan, docs/stack.md).
actors::introspection_actor::behavior_type introspection(self_ptr self,
                                                         introspection_options opts) {
  self->state.opts = opts;
  self->state.last_poll_ms = now_ms(); // every actor reports once as it starts
  self->delayed_send(self, opts.push_interval, actors::tick_atom::value);
  return {
      [self](actors::actor_report& r) {
        auto* c = live(self, r.call_sid);
        if (!c)
          return;
        auto name = r.name;
        if (auto from = self->current_sender())
          self->state.reporters[r.call_sid][name] = caf::actor_cast<caf::actor_addr>(from);
        c->reported_at_ms[name] = now_ms();
        c->actors[name] = std::move(r);
        self->state.dirty = true;
      },
      [self](actors::call_report& r) { on_call_report(self, r); },
      [self](actors::call_line& l) { on_line(self, l); },
      [self](actors::tick_atom) {
        on_tick(self);
        self->delayed_send(self, self->state.opts.push_interval, actors::tick_atom::value);
      },
      [self](actors::feed_subscribe& s) {
        auto& st = self->state;
        if (st.subscribers.empty()) {
          // The first reader: every actor is asked now, and the first
          // snapshot goes out with the next push (at most push_interval
          // away), by when their answers are in.
          st.watched_since_ms = now_ms();
          poll(self, st.watched_since_ms);
          st.dirty = true;
        } else {
          // The view is being kept fresh: the page shows the calls at once.
          s.conn->send_text(snapshot(self));
        }
        st.subscribers.push_back(std::move(s.conn));
      },
      [self](actors::feed_unsubscribe& u) {
        auto& subs = self->state.subscribers;
        subs.erase(std::remove_if(subs.begin(), subs.end(),
                                  [&](const net::ws_connection_ptr& c) {
                                    return reinterpret_cast<std::uintptr_t>(c.get()) == u.conn;
                                  }),
                   subs.end());
        if (subs.empty())
          self->state.watched_since_ms = 0;
      },
      [self](caf::get_atom) { return snapshot(self); },
      [self](actors::shutdown_atom) {
        for (auto& c : self->state.subscribers)
          c->close();
        self->state.subscribers.clear();
        self->quit();
      },
  };
}

} // namespace

actors::introspection_actor spawn_introspection(caf::actor_system& sys,
                                                introspection_options opts) {
  return sys.spawn(introspection, opts);
}

} // namespace sb::console
