#pragma once
// Self-reporting for the console (issue 5). A call actor wraps its behavior
// with introspected(): every handled message counts as one in, and the actor
// reports itself (name, state, messages in/out, mailbox depth) to the
// introspection actor once when it starts, which registers it there, and
// then whenever the introspection actor asks (report_atom): every
// call.report_interval while a console reads, every
// call.report_idle_interval while none does (console/introspection.cpp).
// The actor keeps no timer of its own. It reads only its own counters and
// its own mailbox, on its own thread; nothing reads across actors. With no
// introspection actor (console disabled) nothing is sent.

#include "actors/messages.hpp"
#include "actors/services.hpp"

#include <caf/detail/type_traits.hpp>
#include <caf/stateful_actor.hpp>

#include <atomic>
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

/// The typed behavior `fs...`, counted into `stats`, plus the report the
/// introspection actor asks for (the interface extends introspected_actor).
/// `state_of()` names what the actor is doing ("streaming", "idle", ...).
template <class Behavior, class Self, class StateFn, class... Fs>
Behavior introspected(Self* self, const services& svc, const char* name, actor_stats* stats,
                      StateFn state_of, Fs... fs) {
  introspection_actor sink = svc.introspection;
  std::string call_sid = svc.call_sid;
  auto report = [self, sink, call_sid, name, stats, state_of] {
    actor_report r;
    r.call_sid = call_sid;
    r.name = name;
    r.actor_id = self->id();
    r.state = state_of();
    r.messages_in = stats->in + (stats->relayed_in ? stats->relayed_in->load() : 0);
    r.messages_out = stats->out + (stats->relayed_out ? stats->relayed_out->load() : 0);
    r.mailbox = static_cast<int64_t>(self->mailbox().size());
    // Not anonymous: the sender is whom the introspection actor asks again.
    self->send(sink, std::move(r));
  };
  if (sink)
    report(); // registers this actor with the console
  return Behavior{detail::count_in(&stats->in, std::move(fs),
                                   typename caf::detail::get_callable_trait<Fs>::arg_types{})...,
                  [report](report_atom) { report(); }};
}

} // namespace sb::actors
