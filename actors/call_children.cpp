// The call supervisor's children: the tool actor spawned, the Twilio stream
// attached, and what happens when a child goes down, slot by slot (restart
// the OpenAI socket and the tool actor, end or hold the call when the Twilio
// socket goes; see call_supervisor.hpp). Life cycle in call_supervisor.cpp.

#include "actors/apology.hpp"
#include "actors/call_state.hpp"
#include "actors/tool_call.hpp"
#include "actors/twilio_socket.hpp"
#include "actors/write_ahead.hpp"
#include "common/log.hpp"
#include "common/time.hpp"
#include "recording/retention.hpp"

#include <caf/all.hpp>

#include <algorithm>

namespace sb::actors::detail {

void spawn_tools(sup_ptr self) {
  auto& st = self->state;
  st.tools = spawn_tool_call(self, st.svc, st.tenant, caf::actor_cast<call_supervisor_actor>(self),
                             st.booking);
  st.children.insert(st.tools.address());
}

namespace {

/// The tool actor died: a new one carries on from the booking so far, and
/// every call the old one had pending is answered with an error so that the
/// conversation does not wait for it (fail_pending_tools, call_turns.cpp).
void on_tools_down(sup_ptr self, const caf::error& reason) {
  auto& st = self->state;
  st.tools = nullptr;
  if (st.ending != end_reason::none)
    return;
  log::error("RealtimeServer",
             "Tool actor of " + st.call.call_sid + " failed (" + describe(reason) + "); restarting",
             st.svc.log);
  auto& health = st.health["tool_call"];
  health.name = "tool_call";
  health.last_error = describe(reason);
  ++health.restarts;
  spawn_tools(self);
  fail_pending_tools(self);
}

void give_up_stream(sup_ptr self);

void on_openai_down(sup_ptr self, const caf::error& reason) {
  auto& st = self->state;
  st.openai = nullptr;
  st.openai_ready = false;
  st.response_asked_ms = 0; // the next session is asked afresh
  if (st.ending != end_reason::none)
    return analysis_failed(self, "the Realtime session closed");
  auto& health = st.health["openai_socket"];
  health.name = "openai_socket";
  health.last_error = describe(reason);
  const auto& cfg = st.svc.cfg->openai;
  ++st.failed_attempts;
  if (st.failed_attempts > cfg.max_reconnects) {
    // The receptionist cannot speak: the caller is offered voicemail (the
    // stream ends and the <Redirect> after it asks what next), or hears the
    // recorded apology before the line hangs up; either as soon as the
    // stream is there.
    log::error("RealtimeServer",
               "OpenAI unavailable for " + st.call.call_sid + ": " + describe(reason), st.svc.log);
    st.hangup_requested = true;
    st.openai_unavailable = true;
    if (st.svc.cfg->voicemail.enabled) {
      st.next_said = true;
      self->send(st.svc.registry, call_next{st.call.call_sid, true, "openai_unavailable", {}});
    }
    if (st.twilio)
      give_up_stream(self);
    return;
  }
  auto delay = cfg.reconnect_backoff * (1 << std::min(st.failed_attempts - 1, 6));
  if (st.ever_ready) {
    ++st.call.openai_reconnects;
    if (st.svc.metrics)
      st.svc.metrics->openai_reconnects.inc();
  }
  ++health.restarts;
  log::warn("RealtimeServer",
            "OpenAI leg of " + st.call.call_sid + " down (" + describe(reason) +
                "); reconnecting in " + std::to_string(delay.count()) + " ms",
            st.svc.log);
  spawn_openai(self, delay, st.ever_ready);
  st.response_active = st.response_in_progress = false;
}

/// The receptionist cannot speak: end the stream at once when voicemail
/// follows (the registry knows, call_next), else after the recorded apology.
void give_up_stream(sup_ptr self) {
  auto& st = self->state;
  if (st.svc.cfg->voicemail.enabled)
    self->send(st.twilio, play_then_hangup{});
  else
    self->send(st.twilio, play_then_hangup{std::string{apology_audio()}});
}

/// The stream was lost without `stop`: the caller may come back through
/// Twilio's <Redirect> (actors/call_resume.hpp). The turns so far go to disk,
/// then the registry holds the call and this supervisor quits; nothing is
/// finalized here.
void hand_over_lost(sup_ptr self, std::string detail) {
  auto& st = self->state;
  st.ending = end_reason::twilio_socket_lost;
  st.phase = call_phase::ending;
  st.call.end_reason = end_reason::twilio_socket_lost;
  st.call.end_detail = std::move(detail);
  st.call.ended_at_ms = now_ms();
  log::warn("RealtimeServer",
            "Call " + st.call.call_sid + ": stream lost (" + st.call.end_detail +
                "); held for the caller to come back",
            st.svc.log);
  report_line(self, "event", "stream lost: held for the caller to come back");
  if (st.openai)
    self->send_exit(st.openai, caf::exit_reason::user_shutdown);
  auto hand_over = [self] {
    ++self->state.stats.out;
    self->send(self->state.svc.registry, call_lost{self->state.call});
    finish(self);
  };
  if (!st.transcript)
    return hand_over();
  self->request(st.transcript, st.svc.cfg->call.flush, flush_atom::value)
      .then([hand_over](flushed_atom) { hand_over(); }, [hand_over](caf::error&) { hand_over(); });
}

void on_twilio_down(sup_ptr self, const caf::error& reason) {
  auto& st = self->state;
  st.twilio = nullptr;
  if (reason) {
    st.health["twilio_socket"].name = "twilio_socket";
    st.health["twilio_socket"].last_error = describe(reason);
  }
  if (st.openai_unavailable)
    return end_call(self, end_reason::openai_unavailable);
  if (st.hangup_requested)
    return end_call(self, st.hangup_reason);
  if (st.transfer.at == transfer_progress::step::dialing) // Twilio ended it for <Dial>
    return end_call(self, end_reason::transferred);
  if (st.stream_stopped)
    return end_call(self, end_reason::caller_hangup);
  auto detail = reason ? (error_detail(reason).empty() ? describe(reason) : error_detail(reason))
                       : std::string{"closed without stop"};
  if (st.svc.cfg->resume.grace.count() > 0 && st.call.answered_at_ms != 0)
    return hand_over_lost(self, std::move(detail));
  end_call(self, end_reason::twilio_socket_lost, std::move(detail));
}

/// Recording on our side (issue 17.3): the first stream of a call of a
/// tenant that records, from its first frame. A stream picked up again after
/// a loss (call_resume.hpp) restarts the stream clock: it is not recorded.
void start_recording(sup_ptr self) {
  auto& st = self->state;
  if (!recording_on(st) || st.recorded)
    return;
  st.recorded = true;
  auto path = recording::recording_path(*st.svc.cfg, st.call.call_sid);
  st.relay->start_recording(std::make_unique<recording::call_recorder>(st.svc.recorder, path));
  caf::anon_send(st.svc.storage, set_recording_file{st.call.call_sid, std::move(path)});
}

} // namespace

void attach_stream(sup_ptr self, stream_arrived& s) {
  auto& st = self->state;
  if (st.twilio || st.ending != end_reason::none) {
    log::warn("RealtimeServer", "A second stream for " + st.call.call_sid + " was refused",
              st.svc.log);
    s.conn->close();
    return;
  }
  log::info("RealtimeServer", "Twilio stream started: " + s.start.stream_sid, st.svc.log);
  start_recording(self); // before the socket's actor attaches the relay: the held greeting counts
  st.twilio = spawn_twilio_socket(self, st.svc, s.conn, s.start,
                                  caf::actor_cast<call_supervisor_actor>(self), st.relay);
  st.children.insert(st.twilio.address());
  if (st.call.answered_at_ms == 0) // a call picked up again keeps its first answer
    st.call.answered_at_ms = now_ms();
  st.call.status = call_status::in_progress;
  st.phase = call_phase::in_progress;
  write_ahead::status(st.svc, st.call);
  if (st.openai_unavailable)
    give_up_stream(self);
  start_call_timers(self);
  publish(self);
}

/// A child went down: decide for its slot (see call_supervisor.hpp).
void on_child_down(sup_ptr self, caf::down_msg& dm) {
  auto& st = self->state;
  if (st.openai && dm.source == st.openai.address())
    return on_openai_down(self, dm.reason);
  if (st.twilio && dm.source == st.twilio.address())
    return on_twilio_down(self, dm.reason);
  if (st.tools && dm.source == st.tools.address())
    return on_tools_down(self, dm.reason);
  if (st.standby && dm.source == st.standby.address())
    return on_standby_down(self, dm.reason);
  if (st.transcript && dm.source == st.transcript.address()) {
    st.transcript = nullptr;
    end_call(self, end_reason::internal_error, "transcript actor failed");
  }
}

} // namespace sb::actors::detail
