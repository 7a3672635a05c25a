#include "console/introspection.hpp"

#include "common/time.hpp"
#include "console/view.hpp"

#include <caf/all.hpp>

#include <algorithm>

#include <chrono>
#include <set>
#include <vector>

namespace sb::console {

namespace {

/// How often the feed's subscribers get the view, when it changed.
constexpr std::chrono::milliseconds default_push_interval{250};

struct introspection_state {
  console_view view;
  std::set<std::string> finished_sids; ///< late reports of these are dropped
  std::vector<net::ws_connection_ptr> subscribers;
  bool dirty = false;
  std::chrono::milliseconds push_interval = default_push_interval;
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

void push(self_ptr self) {
  auto& st = self->state;
  st.dirty = false;
  if (st.subscribers.empty())
    return;
  auto json = snapshot_json(st.view, now_ms());
  for (auto& c : st.subscribers)
    c->send_text(json);
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
  st.view.finished.push_front(std::move(*c));
  st.view.active.erase(sid);
  st.finished_sids.insert(sid);
  while (st.view.finished.size() > max_finished) {
    st.finished_sids.erase(st.view.finished.back().report.call.call_sid);
    st.view.finished.pop_back();
  }
}

// The push interval is a spawn argument: CAF 0.17's spawn of a function
// actor without arguments dereferences a null pointer (UBSan, docs/stack.md).
actors::introspection_actor::behavior_type introspection(self_ptr self,
                                                         std::chrono::milliseconds push_interval) {
  self->state.push_interval = push_interval;
  self->delayed_send(self, push_interval, actors::tick_atom::value);
  return {
      [self](actors::actor_report& r) {
        auto* c = live(self, r.call_sid);
        if (!c)
          return;
        auto name = r.name;
        c->reported_at_ms[name] = now_ms();
        c->actors[name] = std::move(r);
        self->state.dirty = true;
      },
      [self](actors::call_report& r) { on_call_report(self, r); },
      [self](actors::call_line& l) { on_line(self, l); },
      [self](actors::tick_atom) {
        if (self->state.dirty)
          push(self);
        self->delayed_send(self, self->state.push_interval, actors::tick_atom::value);
      },
      [self](actors::feed_subscribe& s) {
        auto& st = self->state;
        // The first snapshot at once: the page shows the calls without waiting.
        s.conn->send_text(snapshot_json(st.view, now_ms()));
        st.subscribers.push_back(std::move(s.conn));
      },
      [self](actors::feed_unsubscribe& u) {
        auto& subs = self->state.subscribers;
        subs.erase(std::remove_if(subs.begin(), subs.end(),
                                  [&](const net::ws_connection_ptr& c) {
                                    return reinterpret_cast<std::uintptr_t>(c.get()) == u.conn;
                                  }),
                   subs.end());
      },
      [self](caf::get_atom) { return snapshot_json(self->state.view, now_ms()); },
      [self](actors::shutdown_atom) {
        for (auto& c : self->state.subscribers)
          c->close();
        self->state.subscribers.clear();
        self->quit();
      },
  };
}

} // namespace

actors::introspection_actor spawn_introspection(caf::actor_system& sys) {
  return sys.spawn(introspection, default_push_interval);
}

} // namespace sb::console
