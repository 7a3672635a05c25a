#pragma once
// Self-reporting for the console (issue 5). A call actor wraps its behavior
// with introspected(): every handled message counts as one in, and every
// 500 ms the actor reports itself (name, state, messages in/out, mailbox
// depth) to the introspection actor. The actor reads only its own counters
// and its own mailbox, on its own thread; nothing reads across actors. With
// no introspection actor (console disabled) nothing is scheduled.

#include "actors/messages.hpp"
#include "actors/services.hpp"

#include <caf/detail/type_traits.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <utility>

namespace sb::actors {

/// Message counts an actor keeps about itself.
struct actor_stats {
  int64_t in = 0;
  int64_t out = 0; ///< counted by the actor where it sends
  /// Frames its socket relayed without a message (media_relay), counted by
  /// the relay; reported on top of in/out. Null: none.
  const std::atomic<int64_t>* relayed_in = nullptr;
  const std::atomic<int64_t>* relayed_out = nullptr;
};

namespace detail {

/// `f` with the same signature, counting each call into *n first.
template <class F, class... Ts> auto count_in(int64_t* n, F f, caf::detail::type_list<Ts...>) {
  using result = typename caf::detail::get_callable_trait<F>::result_type;
  return [n, f = std::move(f)](Ts... xs) mutable -> result {
    ++*n;
    return f(std::forward<Ts>(xs)...);
  };
}

} // namespace detail

/// The typed behavior `fs...`, counted into `stats`, plus the periodic report
/// (every call.report_interval; the interface extends introspected_actor).
/// `state_of()` names what the actor is doing ("streaming", "idle", ...).
template <class Behavior, class Self, class StateFn, class... Fs>
Behavior introspected(Self* self, const services& svc, const char* name, actor_stats* stats,
                      StateFn state_of, Fs... fs) {
  introspection_actor sink = svc.introspection;
  std::string call_sid = svc.call_sid;
  auto interval = svc.cfg->call.report_interval;
  auto report = [self, sink, call_sid, name, stats, state_of] {
    actor_report r;
    r.call_sid = call_sid;
    r.name = name;
    r.actor_id = self->id();
    r.state = state_of();
    r.messages_in = stats->in + (stats->relayed_in ? stats->relayed_in->load() : 0);
    r.messages_out = stats->out + (stats->relayed_out ? stats->relayed_out->load() : 0);
    r.mailbox = static_cast<int64_t>(self->mailbox().size());
    caf::anon_send(sink, std::move(r));
  };
  if (sink) {
    report();
    self->delayed_send(self, interval, report_atom::value);
  }
  return Behavior{detail::count_in(&stats->in, std::move(fs),
                                   typename caf::detail::get_callable_trait<Fs>::arg_types{})...,
                  [self, report, interval](report_atom) {
                    report();
                    self->delayed_send(self, interval, report_atom::value);
                  }};
}

} // namespace sb::actors
