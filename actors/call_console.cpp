// The console's questions and actions on live calls: the sessions list,
// Transfer and Hang up (app/ renders and routes them).
#include "actors/registry_state.hpp"

#include <caf/all.hpp>

namespace sb::actors::detail {

/// The console's Transfer: the call's supervisor decides (call_transfer.cpp).
caf::typed_response_promise<std::string> transfer(registry_ptr self, const operator_transfer& o) {
  auto rp = self->make_response_promise<std::string>();
  auto it = self->state.calls.find(o.call_sid);
  if (it == self->state.calls.end()) {
    rp.deliver(std::string{"no such live call"});
    return rp;
  }
  self->request(it->second, self->state.svc.cfg->call.registry_query, transfer_request{"operator"})
      .then([rp](std::string& why) mutable { rp.deliver(std::move(why)); },
            [rp](caf::error& e) mutable {
              rp.deliver(std::string{"the call did not answer: " + caf::to_string(e)});
            });
  return rp;
}

sessions_info sessions(const registry_state& st) {
  sessions_info out;
  for (const auto& [sid, s] : st.snapshots)
    if (st.calls.count(sid) != 0)
      out.calls.push_back(s);
  return out;
}

bool hang_up(registry_ptr self, const operator_hangup& h) {
  auto it = self->state.calls.find(h.call_sid);
  if (it == self->state.calls.end())
    return false;
  self->send(it->second, hangup_atom::value);
  return true;
}

} // namespace sb::actors::detail
