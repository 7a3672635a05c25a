#include "app/call_handoff.hpp"

#include "actors/messages.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <caf/send.hpp>

namespace sb::app {

call_handoff::call_handoff(const actors::services& svc) : svc_(svc) {}

void call_handoff::push(storage::call_record call) {
  if (!svc_.io) { // no loop to gather on
    caf::anon_send(svc_.registry, actors::inbound_call{std::move(call), nullptr});
    return;
  }
  std::lock_guard lock{mutex_};
  pending_.push_back(std::move(call));
  if (armed_)
    return;
  armed_ = true;
  // The timer lives in its own handler: destroying the io_context at
  // shutdown destroys both, whatever outlives the other.
  auto timer = std::make_shared<boost::asio::steady_timer>(*svc_.io, gather_delay);
  timer->async_wait(
      [self = shared_from_this(), timer](const boost::system::error_code&) { self->flush(); });
}

void call_handoff::flush() {
  std::vector<storage::call_record> calls;
  {
    std::lock_guard lock{mutex_};
    calls.swap(pending_);
    armed_ = false;
  }
  // The first send wakes the registry; the rest join its mailbox.
  for (auto& c : calls)
    caf::anon_send(svc_.registry, actors::inbound_call{std::move(c), nullptr});
}

} // namespace sb::app
