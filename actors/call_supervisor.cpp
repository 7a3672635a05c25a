// Life cycle and supervision of one call. Turn-taking is in call_turns.cpp.

#include "actors/call_supervisor.hpp"

#include "actors/apology.hpp"
#include "actors/call_state.hpp"
#include "actors/finalizer.hpp"
#include "actors/openai_socket.hpp"
#include "actors/tool_call.hpp"
#include "actors/transcript.hpp"
#include "actors/twilio_socket.hpp"
#include "common/log.hpp"
#include "common/time.hpp"
#include "receptionist/session.hpp"

#include <caf/all.hpp>

#include <algorithm>

namespace sb::actors {

namespace detail {

void report_call(sup_ptr self, bool finished, int64_t job_id) {
  auto& st = self->state;
  if (!st.svc.introspection) return;
  call_report r;
  r.call = st.call;
  r.tenant_name = st.tenant.name;
  r.state = finished ? "finished" : st.state;
  r.turns = st.turns_seen;
  r.booking = st.booking;
  for (const auto& [name, h] : st.health) r.children.push_back(h);
  r.finished = finished;
  r.job_id = job_id;
  ++st.stats.out;
  self->send(st.svc.introspection, std::move(r));
}

void report_line(sup_ptr self, std::string kind, std::string text, int latency_ms) {
  auto& st = self->state;
  if (!st.svc.introspection) return;
  ++st.stats.out;
  self->send(st.svc.introspection,
             call_line{st.call.call_sid, std::move(kind), std::move(text), latency_ms, now_ms()});
}

void publish(sup_ptr self) {
  auto& st = self->state;
  call_snapshot s;
  s.call_sid = st.call.call_sid;
  s.tenant_number = st.tenant.number;
  s.tenant_name = st.tenant.name;
  s.from = st.call.from;
  s.started_at_ms = st.call.started_at_ms;
  s.state = st.state;
  s.has_booking = !st.booking.empty();
  s.openai_connected = st.openai_ready;
  self->request(st.transcript, std::chrono::seconds{2}, caf::get_atom::value)
    .then(
      [self, s](transcript_so_far& t) mutable {
        s.turns = static_cast<int>(t.turns.size());
        self->state.turns_seen = s.turns;
        ++self->state.stats.out;
        self->send(self->state.svc.registry, s);
        report_call(self);
      },
      [self, s](caf::error&) {
        ++self->state.stats.out;
        self->send(self->state.svc.registry, s);
        report_call(self);
      });
}

void send_openai(sup_ptr self, std::string json) {
  if (!self->state.openai) return;
  ++self->state.stats.out;
  self->send(self->state.openai, openai_send{std::move(json)});
}

/// The record is written: the remaining children go, then the supervisor.
void finish(sup_ptr self) {
  auto& st = self->state;
  if (st.transcript) self->send_exit(st.transcript, caf::exit_reason::user_shutdown);
  if (st.tools) self->send_exit(st.tools, caf::exit_reason::user_shutdown);
  self->quit();
}

void end_call(sup_ptr self, std::string reason) {
  auto& st = self->state;
  if (!st.end_reason.empty()) return; // already ending
  st.end_reason = reason;
  st.state = "ending";
  log::info("RealtimeServer", "Call " + st.call.call_sid + " ending: " + reason);
  if (st.svc.observer) st.svc.observer(st.call.call_sid, "call ended: " + reason);
  if (st.svc.metrics) st.svc.metrics->call_ended(reason);
  report_line(self, "event", "call ended: " + reason);
  // Stop input first: no more audio or events from either socket.
  if (st.openai) self->send_exit(st.openai, caf::exit_reason::user_shutdown);
  if (st.twilio) self->send_exit(st.twilio, caf::exit_reason::user_shutdown);
  st.call.ended_at_ms = now_ms();
  st.call.end_reason = reason;
  if (st.call.answered_at_ms == 0) st.call.status = reason == "no_stream" ? "no_stream" : "failed";
  else st.call.status = reason.rfind("error", 0) == 0 ? "failed" : "completed";
  publish(self);
  // Then flush and finalize; quit when the record is written.
  auto fin = spawn_finalizer(self, st.svc);
  self->request(fin, std::chrono::seconds{30},
                finalize_args{st.call, st.tenant, st.booking, st.transcript})
    .then(
      [self](int64_t job_id) {
        report_call(self, true, job_id);
        finish(self);
      },
      [self](caf::error&) {
        report_call(self, true, 0);
        finish(self);
      });
}

} // namespace detail

namespace {

using namespace detail;

void spawn_openai(sup_ptr self, std::chrono::milliseconds delay, bool reconnect) {
  auto& st = self->state;
  openai_socket_args args;
  args.session = receptionist::session_for(st.tenant, st.call.from, st.svc.cfg->openai);
  args.call_sid = st.call.call_sid;
  args.delay = delay;
  args.reconnect = reconnect;
  args.relay = st.relay;
  st.openai = spawn_openai_socket(self, st.svc, std::move(args),
                                  caf::actor_cast<caf::actor>(self));
}

void on_openai_down(sup_ptr self, const caf::error& reason) {
  auto& st = self->state;
  st.openai = nullptr;
  st.openai_ready = false;
  if (!st.end_reason.empty()) return;
  auto& health = st.health["openai_socket"];
  health.name = "openai_socket";
  health.last_error = caf::to_string(reason);
  const auto& cfg = st.svc.cfg->openai;
  ++st.failed_attempts;
  if (st.failed_attempts > cfg.max_reconnects) {
    // The receptionist cannot speak: the caller hears a recorded apology,
    // then the call hangs up (or, before the stream, as soon as it attaches).
    log::error("RealtimeServer", "OpenAI unavailable for " + st.call.call_sid + ": " +
                                   caf::to_string(reason));
    st.hangup_requested = true;
    if (st.twilio) self->send(st.twilio, hangup_atom::value, std::string{apology_audio()});
    st.call.end_reason = "openai_unavailable";
    return;
  }
  auto delay = cfg.reconnect_backoff * (1 << std::min(st.failed_attempts - 1, 6));
  if (st.ever_ready) {
    ++st.call.openai_reconnects;
    if (st.svc.metrics) st.svc.metrics->openai_reconnects.inc();
  }
  ++health.restarts;
  log::warn("RealtimeServer", "OpenAI leg of " + st.call.call_sid + " down (" +
                                caf::to_string(reason) + "); reconnecting in " +
                                std::to_string(delay.count()) + " ms");
  spawn_openai(self, delay, st.ever_ready);
  st.response_active = false;
}

void on_twilio_down(sup_ptr self, const caf::error& reason) {
  auto& st = self->state;
  st.twilio = nullptr;
  if (reason) {
    st.health["twilio_socket"].name = "twilio_socket";
    st.health["twilio_socket"].last_error = caf::to_string(reason);
  }
  if (st.call.end_reason == "openai_unavailable") return end_call(self, "openai_unavailable");
  if (st.hangup_requested) return end_call(self, "assistant_hangup");
  if (st.stream_stopped) return end_call(self, "caller_hangup");
  end_call(self, "twilio_socket_lost: " + caf::to_string(reason));
}

void attach_stream(sup_ptr self, stream_arrived& s) {
  auto& st = self->state;
  if (st.twilio || !st.end_reason.empty()) {
    log::warn("RealtimeServer", "A second stream for " + st.call.call_sid + " was refused");
    s.conn->close();
    return;
  }
  log::info("RealtimeServer", "Twilio stream started: " + s.start.stream_sid);
  st.twilio = spawn_twilio_socket(self, st.svc, s.conn, s.start, caf::actor_cast<caf::actor>(self),
                                  st.relay);
  st.call.answered_at_ms = now_ms();
  st.call.status = "in_progress";
  st.state = "in_progress";
  if (st.call.end_reason == "openai_unavailable")
    self->send(st.twilio, hangup_atom::value, std::string{apology_audio()});
  publish(self);
}

caf::behavior call_supervisor(sup_ptr self, services svc, storage::tenant tenant,
                              storage::call_record call) {
  auto& st = self->state;
  st.svc = std::move(svc);
  st.tenant = std::move(tenant);
  st.call = std::move(call);
  st.svc.call_sid = st.call.call_sid; // children's reports to the console name their call
  st.relay = std::make_shared<media_relay>(st.svc, caf::actor_cast<caf::actor>(self));
  // Fire and forget: a plain send would get storage's ack back as an
  // unexpected message.
  caf::anon_send(st.svc.storage, begin_call{st.call});
  st.transcript = spawn_transcript(self, st.svc, st.call.call_sid);
  st.tools = spawn_tool_call(self, st.svc, st.tenant, caf::actor_cast<caf::actor>(self));
  spawn_openai(self, std::chrono::milliseconds{0}, false); // pre-connect
  st.state = "ringing";
  self->delayed_send(self, st.svc.cfg->twilio.stream_attach_timeout, timeout_atom::value);
  self->set_down_handler([self](caf::down_msg& dm) {
    auto& st = self->state;
    if (dm.source == st.openai) return on_openai_down(self, dm.reason);
    if (dm.source == st.twilio) return on_twilio_down(self, dm.reason);
    if (dm.source == st.tools) {
      log::error("RealtimeServer", "Tool actor of " + st.call.call_sid + " failed; restarting");
      auto& health = st.health["tool_call"];
      health.name = "tool_call";
      health.last_error = caf::to_string(dm.reason);
      ++health.restarts;
      st.tools = spawn_tool_call(self, st.svc, st.tenant, caf::actor_cast<caf::actor>(self));
      return;
    }
    if (dm.source == st.transcript) {
      st.transcript = nullptr;
      end_call(self, "error: transcript actor failed");
    }
  });
  publish(self);
  return introspected(
    self, st.svc, "call_supervisor", &st.stats, [self] { return self->state.state; },
    [self](stream_arrived& s) { attach_stream(self, s); },
    [self](openai_session_ready& r) { on_session_ready(self, r); },
    [self](realtime_event& e) { on_realtime(self, e); },
    [self](first_audio_sent& f) { on_first_audio(self, f); },
    [self](tool_result& r) { on_tool_result(self, r); },
    [self](ack_atom, const std::string& call_id) { on_ack_timer(self, call_id); },
    [self](stream_stopped) { self->state.stream_stopped = true; },
    [self](dtmf_digit& d) {
      log::info("RealtimeServer", "DTMF " + d.digit + " on " + self->state.call.call_sid);
    },
    [self](timeout_atom) {
      auto& st = self->state;
      if (st.twilio || st.call.answered_at_ms != 0) return;
      end_call(self, st.call.end_reason == "openai_unavailable" ? "openai_unavailable" : "no_stream");
    },
    [self](hangup_atom) {
      auto& st = self->state;
      if (st.twilio) {
        st.hangup_requested = true;
        self->send(st.twilio, hangup_after_playout{});
      }
      end_call(self, "operator_hangup");
    },
    [self](shutdown_atom) { end_call(self, "shutdown"); });
}

} // namespace

caf::actor spawn_call_supervisor(caf::local_actor* registry, services svc, storage::tenant tenant,
                                 storage::call_record call) {
  return registry->spawn<caf::monitored>(call_supervisor, std::move(svc), std::move(tenant),
                                         std::move(call));
}

} // namespace sb::actors
