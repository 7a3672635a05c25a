// Life cycle and supervision of one call. Turn-taking is in call_turns.cpp.

#include "actors/call_supervisor.hpp"

#include "actors/apology.hpp"
#include "actors/call_state.hpp"
#include "actors/finalizer.hpp"
#include "actors/openai_socket.hpp"
#include "actors/tool_call.hpp"
#include "actors/transcript.hpp"
#include "actors/twilio_socket.hpp"
#include "actors/write_ahead.hpp"
#include "common/log.hpp"
#include "common/time.hpp"
#include "receptionist/session.hpp"
#include "receptionist/test_fault.hpp"
#include "recording/retention.hpp"

#include <caf/all.hpp>

#include <algorithm>

namespace sb::actors {

namespace detail {

void report_call(sup_ptr self, int64_t job_id) {
  auto& st = self->state;
  if (!st.svc.introspection)
    return;
  call_report r;
  r.call = st.call;
  r.tenant_name = st.tenant.name;
  r.phase = st.phase;
  r.turns = st.turns_seen;
  r.booking = st.booking;
  for (const auto& [name, h] : st.health)
    r.children.push_back(h);
  r.job_id = job_id;
  ++st.stats.out;
  self->send(st.svc.introspection, std::move(r));
}

void report_line(sup_ptr self, std::string kind, std::string text, int latency_ms,
                 std::string item_id) {
  auto& st = self->state;
  if (!st.svc.introspection)
    return;
  ++st.stats.out;
  self->send(st.svc.introspection, call_line{st.call.call_sid,
                                             std::move(kind),
                                             std::move(text),
                                             latency_ms,
                                             now_ms(),
                                             std::move(item_id),
                                             {}});
}

void publish(sup_ptr self) {
  auto& st = self->state;
  call_snapshot s;
  s.call_sid = st.call.call_sid;
  s.tenant_number = st.tenant.number;
  s.tenant_name = st.tenant.name;
  s.from = st.call.from;
  s.started_at_ms = st.call.started_at_ms;
  s.phase = st.phase;
  s.has_booking = !st.booking.empty();
  s.openai_connected = st.openai_ready;
  s.answered_at_ms = st.call.answered_at_ms;
  s.booking = st.booking;
  if (!st.transcript) {
    ++st.stats.out;
    self->send(st.svc.registry, s);
    return report_call(self);
  }
  self->request(st.transcript, st.svc.cfg->call.snapshot_query, caf::get_atom::value)
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
  auto& st = self->state;
  if (!st.openai)
    return;
  // The answer watchdog (issue 14.5): a request for a response that gets no
  // event at all back within openai.silence_ms means a dead session, even one
  // whose pings are answered (check_answer, call_timers.cpp). Our builder
  // writes "type" first (protocol/realtime_build.cpp).
  if (st.openai_ready && st.response_asked_ms == 0 &&
      json.rfind(R"({"type":"response.create")", 0) == 0)
    st.response_asked_ms = now_ms();
  ++self->state.stats.out;
  self->send(self->state.openai, openai_send{std::move(json)});
}

/// The record is written: the call's slot holds go (a booked slot is a job
/// card by now), then the remaining children, then the supervisor.
void finish(sup_ptr self) {
  auto& st = self->state;
  if (st.svc.holds)
    self->send(st.svc.holds, release_holds{st.call.call_sid});
  if (st.transcript)
    self->send_exit(st.transcript, caf::exit_reason::user_shutdown);
  if (st.tools)
    self->send_exit(st.tools, caf::exit_reason::user_shutdown);
  self->quit();
}

void end_call(sup_ptr self, end_reason reason, std::string detail) {
  auto& st = self->state;
  if (st.ending != end_reason::none)
    return; // already ending
  st.ending = reason;
  st.phase = call_phase::ending;
  st.call.end_reason = reason;
  st.call.end_detail = std::move(detail);
  auto why = storage::end_reason_text(st.call);
  log::info("RealtimeServer", "Call " + st.call.call_sid + " ending: " + why, st.svc.log);
  if (st.svc.observer)
    st.svc.observer(st.call.call_sid, "call ended: " + why);
  if (st.svc.metrics)
    st.svc.metrics->call_ended(reason);
  report_line(self, "event", "call ended: " + why);
  // Stop input first: no more audio from the caller. The Realtime session
  // stays up for the post-call analysis, if it is asked (call_analysis.cpp).
  if (st.twilio)
    self->send_exit(st.twilio, caf::exit_reason::user_shutdown);
  if (st.relay)
    st.relay->stop_recording(); // input has stopped: the file is complete
  if (!st.next_said) {          // the <Redirect> after the stream hangs up (call_resume.hpp)
    st.next_said = true;
    ++st.stats.out;
    self->send(st.svc.registry, call_next{st.call.call_sid, false, std::string{why}, {}});
  }
  st.call.ended_at_ms = now_ms();
  st.call.status = status_after(reason, st.call.answered_at_ms != 0);
  publish(self);
  if (start_analysis(self))
    return;
  if (st.openai)
    self->send_exit(st.openai, caf::exit_reason::user_shutdown);
  finalize_call(self);
}

void finalize_call(sup_ptr self) {
  auto& st = self->state;
  // Flush and finalize; quit when the record is written.
  auto fin = spawn_finalizer(self, st.svc, st.transcript);
  finalize_request req{st.call, st.tenant, st.booking, st.analysis.json, st.analysis.asked};
  self->request(fin, st.svc.cfg->call.finalize, std::move(req))
      .then(
          [self](int64_t job_id) {
            self->state.phase = call_phase::finished;
            report_call(self, job_id);
            finish(self);
          },
          [self](caf::error&) {
            self->state.phase = call_phase::finished;
            report_call(self, 0);
            finish(self);
          });
}

openai_socket_actor spawn_openai(sup_ptr self, std::chrono::milliseconds delay, bool reconnect,
                                 bool standby) {
  auto& st = self->state;
  openai_socket_args args;
  args.session = receptionist::session_for(st.tenant, st.call.from, st.svc.cfg->openai);
  if (st.svc.cfg->debug.test_faults) // tests only: receptionist/test_fault.hpp
    args.session.tools.push_back(receptionist::test_crash_spec());
  args.call_sid = st.call.call_sid;
  args.delay = delay;
  args.reconnect = reconnect;
  args.relay = st.relay;
  args.standby = standby;
  auto socket = spawn_openai_socket(self, st.svc, std::move(args),
                                    caf::actor_cast<call_supervisor_actor>(self));
  st.children.insert(socket.address());
  if (!standby)
    st.openai = socket;
  return socket;
}

} // namespace detail

namespace {

using namespace detail;

void spawn_tools(sup_ptr self) {
  auto& st = self->state;
  st.tools = spawn_tool_call(self, st.svc, st.tenant, caf::actor_cast<call_supervisor_actor>(self),
                             st.booking);
  st.children.insert(st.tools.address());
}

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

/// Spawns the children and pre-connects OpenAI.
void start_call(sup_ptr self, std::vector<storage::transcript_turn> so_far) {
  auto& st = self->state;
  st.svc.call_sid = st.call.call_sid; // children's reports to the console name their call
  st.svc.log = log::context{st.call.call_sid, st.tenant.name};
  // The relay reports first audio to the supervisor by message; it holds the
  // supervisor's address only (weak: the supervisor owns the relay).
  auto addr = caf::actor_cast<caf::actor_addr>(self);
  st.relay = std::make_shared<relay::media_relay>(st.svc.metrics, [addr](first_audio_sent f) {
    if (auto sup = caf::actor_cast<call_supervisor_actor>(addr))
      caf::anon_send(sup, std::move(f));
  });
  // Fire and forget: a failed write is logged by storage, and the call's
  // record is written whole when it is finalized.
  caf::anon_send(st.svc.storage, begin_call{st.call});
  st.transcript = spawn_transcript(self, st.svc, st.call.call_sid, std::move(so_far));
  st.children.insert(st.transcript.address());
  spawn_tools(self);
  spawn_openai(self, std::chrono::milliseconds{0}, false); // pre-connect
  st.phase = call_phase::ringing;
  self->delayed_send(self, stream_attach_timeout(st), timeout_atom::value);
  self->set_down_handler([self](caf::down_msg& dm) { on_child_down(self, dm); });
  // The children are linked so that they die with this actor (both sockets
  // close); a child's own exit reaches here through the link as well as its
  // down_msg, and the down_msg decides. An exit from anyone else stops this
  // actor as CAF's default handler would.
  self->set_exit_handler([self](caf::exit_msg& em) {
    if (self->state.children.erase(em.source) == 0 && em.reason &&
        em.reason != caf::exit_reason::normal)
      self->quit(std::move(em.reason));
  });
  publish(self);
}

call_supervisor_actor::behavior_type call_supervisor(sup_ptr self, services svc,
                                                     storage::tenant tenant,
                                                     storage::call_record call,
                                                     stored_call resume_from) {
  auto& st = self->state;
  st.svc = std::move(svc);
  st.tenant = std::move(tenant);
  st.call = std::move(call);
  st.resumed = st.call.resumes > 0;
  st.booking = std::move(resume_from.draft); // empty for a new call
  start_call(self, std::move(resume_from.turns));
  return introspected<call_supervisor_actor::behavior_type>(
      self, st.svc, "call_supervisor", &st.stats,
      [self] { return std::string{to_string(self->state.phase)}; },
      [self](stream_arrived& s) { attach_stream(self, s); },
      [self](openai_session_ready& r) {
        if (r.standby)
          return on_standby_ready(self);
        arm_session_limit(self);
        on_session_ready(self, r);
      },
      [self](realtime_event& e) {
        // Once ending, the session serves the post-call analysis only.
        if (self->state.ending != end_reason::none)
          on_analysis_event(self, e.ev);
        else
          on_realtime(self, e);
      },
      [self](first_audio_sent& f) { on_first_audio(self, f); },
      [self](stream_stopped) { self->state.stream_stopped = true; },
      [self](dtmf_digit& d) { on_dtmf(self, d.digit); },
      [self](digits_done_atom, int gen) { on_digits_done(self, gen); },
      [self](transfer_request& r) { return start_transfer(self, std::move(r.reason)); },
      [self](handed_over_atom, int gen) { on_handed_over(self, gen); },
      [self](transfer_rest_done& r) { on_transfer_rest_done(self, r); },
      [self](tool_result& r) { on_tool_result(self, r); },
      [self](tool_slow_atom, const std::string& call_id) { on_tool_slow(self, call_id); },
      [self](timeout_atom) {
        auto& st = self->state;
        if (st.twilio || st.call.answered_at_ms != 0)
          return;
        end_call(self,
                 st.openai_unavailable ? end_reason::openai_unavailable : end_reason::no_stream);
      },
      [self](max_call_atom, int stage) { on_max_call(self, stage); },
      [self](silence_atom) { on_call_tick(self); },
      [self](recycle_atom, int generation) { on_recycle(self, generation); },
      [self](hangup_atom) {
        auto& st = self->state;
        if (st.twilio) {
          st.hangup_requested = true;
          self->send(st.twilio, hangup_after_playout{});
        }
        end_call(self, end_reason::operator_hangup);
      },
      [self](analysis_atom) { analysis_failed(self, "no answer in time"); },
      [self](shutdown_atom) { end_call(self, end_reason::shutdown); });
}

} // namespace

call_supervisor_actor spawn_call_supervisor(caf::local_actor* registry, services svc,
                                            storage::tenant tenant, storage::call_record call,
                                            stored_call resume_from) {
  return registry->spawn<caf::monitored>(call_supervisor, std::move(svc), std::move(tenant),
                                         std::move(call), std::move(resume_from));
}

} // namespace sb::actors
