#pragma once
// For code outside the actors (HTTP routes on the io thread): ask a typed
// actor and get its answer in a callback, without blocking. A one-shot
// actor makes the request and quits with the answer, so the asked actor
// answers with data and never sees an HTTP responder. The callbacks run on
// an actor thread; they must be thread-safe (net::responder is).

#include <caf/actor_system.hpp>
#include <caf/error.hpp>
#include <caf/event_based_actor.hpp>

#include <chrono>
#include <utility>

namespace sb::actors {

/// Sends `msg...` to `dest`; `on_reply(Reply&)` or `on_error(caf::error&)`
/// runs once, within `timeout`.
template <class Reply, class Handle, class OnReply, class OnError, class... Ts>
void ask(const Handle& dest, std::chrono::milliseconds timeout, OnReply on_reply, OnError on_error,
         Ts... msg) {
  if (!dest) {
    caf::error none = caf::make_error(caf::sec::invalid_argument);
    on_error(none);
    return;
  }
  // `to` is passed as a spawn argument, not captured: CAF 0.17 dereferences
  // a null argument tuple when a function actor takes no arguments
  // (UBSan, docs/stack.md 6).
  dest.home_system().spawn(
      [=](caf::event_based_actor* self, Handle to) mutable {
        self->request(to, timeout, std::move(msg)...)
            .then([on_reply](Reply& r) mutable { on_reply(r); },
                  [on_error](caf::error& e) mutable { on_error(e); });
      },
      dest);
}

} // namespace sb::actors
