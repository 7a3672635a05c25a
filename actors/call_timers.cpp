// A call's timeouts (issue 13 item 4): the longest call (warn, wrap up, hang
// up after playout), the silent caller (ask, then end politely), and the
// stream that never attaches. Per tenant, with defaults in config.toml
// [timeouts] and [twilio]. Each ends the call through the usual hang-up
// path (hangup_requested: the last words play out before the line closes).
// Long deadlines are checked on one short per-call tick (on_call_tick), so
// that nothing of an ended call waits in CAF's clock.

#include "actors/call_state.hpp"

#include "common/log.hpp"
#include "common/time.hpp"
#include "receptionist/session.hpp"

#include <caf/all.hpp>

#include <algorithm>

namespace sb::actors::detail {

namespace {

using std::chrono::milliseconds;

/// The tenant's own value in ms when set, else the default.
milliseconds tenant_or(int64_t tenant_ms, milliseconds fallback) {
  return tenant_ms > 0 ? milliseconds{tenant_ms} : fallback;
}

milliseconds max_call(const call_state& st) {
  return tenant_or(st.tenant.max_call_ms, st.svc.cfg->timeouts.max_call);
}

milliseconds silence(const call_state& st) {
  return tenant_or(st.tenant.silence_ms, st.svc.cfg->timeouts.silence);
}

/// How often the call's tick comes: a fifth of the silence limit, a
/// twentieth of the longest call and of the session limit, within 50 ms..1 s.
milliseconds tick_interval(const call_state& st) {
  milliseconds every{1000};
  if (silence(st).count() > 0)
    every = std::min(every, silence(st) / 5);
  if (max_call(st).count() > 0)
    every = std::min(every, max_call(st) / 20);
  if (st.svc.cfg->openai.session_max.count() > 0)
    every = std::min<milliseconds>(every, st.svc.cfg->openai.session_max / 20);
  return std::clamp(every, milliseconds{50}, milliseconds{1000});
}

/// How long after the longest call the line is closed even if the goodbye
/// never finished (a response that would not end).
constexpr milliseconds wrap_up_grace{15'000};

/// Retry a prompt this soon when a response was in the way.
constexpr milliseconds prompt_retry{200};

/// The line is in use: the caller talks, the assistant speaks or is about
/// to, or a tool runs.
bool line_busy(const call_state& st) {
  return st.caller_speaking || st.response_active || !st.pending_tools.empty() ||
         (st.relay && st.relay->playing());
}

/// The end of the line: the words asked for play out, then the call ends
/// with `why` (on_twilio_down). Without a prompt sent, a response already
/// running ends it (response.done, call_turns.cpp), or it ends now.
void wrap_up(sup_ptr self, end_reason why, const std::string& goodbye) {
  auto& st = self->state;
  st.hangup_reason = why;
  st.hangup_requested = true;
  log::info("RealtimeServer",
            "Call " + st.call.call_sid + " wraps up: " + std::string{to_string(why)}, st.svc.log);
  if (prompt_now(self, goodbye) || st.response_active)
    return;
  if (st.twilio)
    self->send(st.twilio, hangup_after_playout{});
  else
    end_call(self, why);
}

} // namespace

milliseconds stream_attach_timeout(const call_state& st) {
  return tenant_or(st.tenant.stream_attach_ms, st.svc.cfg->twilio.stream_attach_timeout);
}

bool prompt_now(sup_ptr self, const std::string& instructions) {
  auto& st = self->state;
  if (st.response_active || !st.pending_tools.empty() || !st.openai_ready || !st.openai)
    return false;
  st.response_active = true; // until response.done
  send_openai(self, proto::build_response_create(instructions));
  return true;
}

void start_call_timers(sup_ptr self) {
  auto& st = self->state;
  st.last_activity_ms = now_ms();
  auto max = max_call(st);
  if (max.count() > 0) {
    auto warning = st.svc.cfg->timeouts.max_call_warning;
    if (warning.count() > 0 && warning < max)
      st.max_call_warn_at_ms = st.last_activity_ms + (max - warning).count();
    st.max_call_at_ms = st.last_activity_ms + max.count();
  }
  self->delayed_send(self, tick_interval(st), silence_atom::value);
}

void on_max_call(sup_ptr self, int stage) {
  auto& st = self->state;
  if (st.ending != end_reason::none)
    return;
  if (stage == 0) { // warn, unless the call is over or ending anyway
    if (st.max_call_reached || st.hangup_requested)
      return;
    if (!prompt_now(self, receptionist::max_call_warning_instructions()))
      return self->delayed_send(self, prompt_retry, max_call_atom::value, 0);
    log::info("RealtimeServer", "Call " + st.call.call_sid + " warned: it must end shortly",
              st.svc.log);
    return;
  }
  if (stage == 1) {
    if (st.max_call_reached)
      return;
    st.max_call_reached = true;
    self->delayed_send(self, wrap_up_grace, max_call_atom::value, 2);
    if (st.hangup_requested) // already saying goodbye: it ends as the longest call
      return void(st.hangup_reason = end_reason::max_duration);
    return wrap_up(self, end_reason::max_duration, receptionist::max_call_goodbye_instructions());
  }
  // stage 2: the goodbye did not end the call in time.
  log::warn("RealtimeServer", "Call " + st.call.call_sid + " still on after its wrap-up: closing",
            st.svc.log);
  if (st.twilio)
    self->send(st.twilio, hangup_after_playout{});
  else
    end_call(self, end_reason::max_duration);
}

namespace {

/// The caller's silence, looked at on each tick.
void check_silence(sup_ptr self, int64_t now) {
  auto& st = self->state;
  auto limit = silence(st).count();
  if (limit <= 0)
    return;
  if (line_busy(st) || st.hangup_requested)
    st.last_activity_ms = now;
  else if (now - st.last_activity_ms >= limit) {
    if (!st.asked_if_there) {
      if (prompt_now(self, receptionist::still_there_instructions())) {
        st.asked_if_there = true;
        st.last_activity_ms = now;
        log::info("RealtimeServer", "Caller of " + st.call.call_sid + " silent: asked if there",
                  st.svc.log);
      }
    } else {
      return wrap_up(self, end_reason::caller_silent, receptionist::silent_goodbye_instructions());
    }
  }
}

/// The answer watchdog (issue 14.5): a response asked for and no event at
/// all since, for openai.silence_ms. The transport-level watchdog (Beast's
/// idle timeout, openai_socket.cpp) cannot see a session that answers pings
/// but nothing else; this one closes it as lost, so it is replaced as on a
/// drop (the caller frames it never answered go to the next session).
void check_answer(sup_ptr self, int64_t now) {
  auto& st = self->state;
  const auto limit = st.svc.cfg->openai.silence.count();
  if (limit <= 0 || st.response_asked_ms == 0 || now - st.response_asked_ms < limit || !st.openai)
    return;
  st.response_asked_ms = 0;
  self->send(st.openai,
             socket_closed{"no answer to response.create for " + std::to_string(limit) + " ms"});
}

} // namespace

void on_call_tick(sup_ptr self) {
  auto& st = self->state;
  if (st.ending != end_reason::none)
    return; // no tick after the end: nothing of the call waits in the clock
  auto now = now_ms();
  if (st.max_call_warn_at_ms != 0 && now >= st.max_call_warn_at_ms) {
    st.max_call_warn_at_ms = 0;
    on_max_call(self, 0);
  }
  if (st.max_call_at_ms != 0 && now >= st.max_call_at_ms) {
    st.max_call_at_ms = 0;
    on_max_call(self, 1);
  }
  if (st.session_limit_at_ms != 0 && now >= st.session_limit_at_ms) {
    st.session_limit_at_ms = 0;
    on_recycle(self, st.session_gen);
  }
  if (st.ending != end_reason::none)
    return;
  check_silence(self, now);
  check_answer(self, now);
  if (st.ending == end_reason::none)
    self->delayed_send(self, tick_interval(st), silence_atom::value);
}

void note_activity(sup_ptr self, proto::rt_type type) {
  auto& st = self->state;
  using proto::rt_type;
  switch (type) {
  case rt_type::speech_started:
    st.caller_speaking = true;
    st.asked_if_there = false; // the caller is there
    st.last_activity_ms = now_ms();
    return;
  case rt_type::speech_stopped:
    st.caller_speaking = false;
    st.caller_transcript_due_ms = st.last_activity_ms = now_ms();
    return;
  case rt_type::input_transcript_completed:
  case rt_type::input_transcript_failed:
    st.caller_transcript_due_ms = 0;
    return;
  default:
    return;
  }
}

} // namespace sb::actors::detail
