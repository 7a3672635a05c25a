// The registry routes each Media Stream to its call, and remembers what
// follows each stream's end (the call-next route's answer).
#include "actors/registry_state.hpp"

#include "common/log.hpp"
#include "common/time.hpp"

#include <caf/all.hpp>

#include <algorithm>

namespace sb::actors::detail {

/// The look-up of `sid` is over: the streams that came during it go to its
/// call, or are closed if it has none.
void release_parked(registry_ptr self, const std::string& sid) {
  auto& st = self->state;
  auto parked = st.parked_streams.extract(sid);
  if (parked.empty())
    return;
  auto it = st.calls.find(sid);
  for (auto& s : parked.mapped()) {
    if (it != st.calls.end()) {
      self->send(it->second, std::move(s));
    } else {
      log::warn("RealtimeServer", "Media Stream for unanswered call " + sid + " closed");
      s.conn->close();
    }
  }
}

void on_stream(registry_ptr self, stream_arrived& s) {
  auto& st = self->state;
  auto it = st.calls.find(s.start.call_sid);
  if (it == st.calls.end()) {
    if (auto p = st.parked_streams.find(s.start.call_sid); p != st.parked_streams.end()) {
      p->second.push_back(std::move(s)); // its call is being answered: handed over then
      return;
    }
    if (resume_stream(self, s))
      return;
    log::warn("RealtimeServer", "Media Stream for unknown call " + s.start.call_sid + " closed");
    s.conn->close();
    return;
  }
  self->send(it->second, std::move(s));
}

namespace {

/// Twilio asks for what follows a stream within seconds of its end (the
/// <Redirect> after </Connect>; a held call's is asked again on resume, so
/// it outlives [resume] grace_ms). Two minutes, not longer: every entry is
/// memory held per ended call (the soak's RSS plateau, bench/RESULTS.md).
int64_t next_step_ttl_ms(const registry_state& st) {
  return std::max<int64_t>(2 * 60'000, 2 * st.svc.cfg->resume.grace.count());
}

} // namespace

void remember_next(registry_state& st, call_next& n) {
  const int64_t now = now_ms();
  const int64_t ttl = next_step_ttl_ms(st);
  while (!st.next_order.empty() && now - st.next_order.front().first > ttl) {
    auto it = st.next_steps.find(st.next_order.front().second);
    if (it != st.next_steps.end() && now - it->second.second > ttl)
      st.next_steps.erase(it);
    st.next_order.pop_front();
  }
  log::info("RealtimeHandler", "After its stream, " + n.call_sid + " goes to " +
                                   (n.voicemail ? "voicemail" : "hang-up") +
                                   (n.why.empty() ? "" : " (" + n.why + ")"));
  auto sid = n.call_sid;
  st.next_steps[sid] = {std::move(n), now};
  st.next_order.emplace_back(now, std::move(sid));
}

/// A call nobody said anything about (it ended normally, or this server
/// never knew it) hangs up.
call_next next_for(const registry_state& st, const std::string& call_sid) {
  if (auto it = st.next_steps.find(call_sid); it != st.next_steps.end())
    return it->second.first;
  return call_next{call_sid, false, "", ""};
}

} // namespace sb::actors::detail
