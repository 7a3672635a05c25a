#include "actors/twilio_socket.hpp"

#include "actors/introspect.hpp"
#include "actors/wire_tap.hpp"
#include "common/log.hpp"
#include "common/log_throttle.hpp"
#include "common/time.hpp"

#include <caf/all.hpp>

namespace sb::actors {

namespace {

struct twilio_state {
  services svc;
  net::ws_connection_ptr conn;
  std::string call_sid;
  call_supervisor_actor supervisor;
  relay::media_relay_ptr relay;
  bool stopped = false;    ///< `stop` received
  bool hanging_up = false; ///< close once playout is done
  /// Bad and unknown frames: one line a second per call at most, so that a
  /// broken peer cannot flood the log (it may send 50 frames a second); the
  /// count of those not logged goes out when the actor ends.
  std::shared_ptr<log::throttle> bad_input = std::make_shared<log::throttle>(1000);
  actor_stats stats;
  static inline const char* name = "twilio_socket";
};

using self_ptr = twilio_socket_actor::stateful_pointer<twilio_state>;

/// On the io thread, for every frame: media and marks go to the relay; true
/// if the frame was handled there.
bool relay_frame(relay::media_relay& relay, const std::string& text, int64_t received_us) {
  auto ev = proto::parse_twilio_event(text);
  if (!ev)
    return false; // the actor logs it
  if (ev->type == proto::twilio_event_type::media) {
    // Only the caller's leg is relayed.
    if (ev->track.empty() || ev->track == "inbound")
      relay.caller_audio(ev->payload_b64, ev->timestamp_ms, received_us);
    return true;
  }
  if (ev->type == proto::twilio_event_type::mark) {
    relay.caller_heard(ev->mark_name);
    return true;
  }
  return false;
}

void warn_bad_input(twilio_state& st, const std::string& line) {
  int64_t held_back = 0;
  if (st.bad_input->allow(now_ms(), held_back))
    log::warn("TwilioStream", line + log::more_since(held_back), st.svc.log);
}

void on_frame(self_ptr self, twilio_frame& f) {
  auto& st = self->state;
  auto ev = proto::parse_twilio_event(f.text);
  if (!ev) {
    // Bad input is logged and survived: one bad frame must not end the call.
    warn_bad_input(st, "Ignored a bad Media Stream frame on " + st.call_sid + ": " + ev.err().code +
                           ": " + ev.err().message);
    return;
  }
  switch (ev->type) {
  case proto::twilio_event_type::stop:
    st.stopped = true;
    ++st.stats.out;
    self->send(st.supervisor, stream_stopped{});
    return;
  case proto::twilio_event_type::dtmf:
    ++st.stats.out;
    self->send(st.supervisor, dtmf_digit{ev->digit});
    return;
  case proto::twilio_event_type::unknown:
    warn_bad_input(st,
                   "Ignored unknown Media Stream event '" + ev->type_name + "' on " + st.call_sid);
    return;
  default: // connected, start (seen by the server already); media, mark (the relay's)
    return;
  }
}

twilio_socket_actor::behavior_type
twilio_socket(self_ptr self, services svc, net::ws_connection_ptr conn, proto::twilio_event start,
              call_supervisor_actor sup, relay::media_relay_ptr relay) {
  auto& st = self->state;
  st.svc = std::move(svc);
  st.conn = std::move(conn);
  st.call_sid = start.call_sid;
  st.supervisor = std::move(sup);
  st.relay = std::move(relay);
  st.stats.relayed_in = &st.relay->frames_up();
  st.stats.relayed_out = &st.relay->frames_down();
  auto me = caf::actor_cast<twilio_socket_actor>(self);
  // The handlers (and the tap) before the relay sends the held greeting:
  // both go to the connection's strand in this order, so the tap logs it.
  st.conn->set_handlers(net::ws_handlers{
      [me, relay = st.relay](std::string&& text) {
        auto now = mono_us();
        if (!relay_frame(*relay, text, now))
          caf::anon_send(me, twilio_frame{std::move(text), now});
        return true;
      },
      [me](const std::string& reason) { caf::anon_send(me, socket_closed{reason}); },
      wire_tap(st.svc.cfg->debug.twilio, "TwilioStream", st.svc.log)});
  st.relay->attach_twilio(st.conn, start.stream_sid);
  st.conn->resume_reading();
  // Whatever ends this actor, its socket closes with it.
  self->attach_functor([c = st.conn, bad = st.bad_input, sid = st.call_sid, ctx = st.svc.log] {
    c->close();
    if (auto n = bad->held_back(); n > 0)
      log::warn("TwilioStream",
                "Ignored " + std::to_string(n) + " more bad Media Stream frames on " + sid +
                    " (not logged one by one)",
                ctx);
  });
  auto state_of = [self] {
    auto& st = self->state;
    return std::string{st.hanging_up ? "hanging_up" : st.stopped ? "stopped" : "streaming"};
  };
  return introspected<twilio_socket_actor::behavior_type>(
      self, st.svc, "twilio_socket", &st.stats, state_of,
      [self](twilio_frame& f) { on_frame(self, f); },
      [self](barge_in_request) { return self->state.relay->barge_in(); },
      [self](hangup_after_playout) {
        self->state.hanging_up = true;
        self->state.relay->hang_up_after_playout();
      },
      [self](play_then_hangup& p) {
        self->state.hanging_up = true;
        self->state.relay->play_then_hang_up(p.audio);
      },
      [self](socket_closed& c) {
        auto& st = self->state;
        if (st.stopped || st.hanging_up) {
          self->quit(caf::exit_reason::normal);
        } else {
          std::string why = c.reason.empty() ? "closed without stop" : c.reason;
          self->quit(make_error(call_error::twilio_socket_lost, why));
        }
      });
}

} // namespace

twilio_socket_actor spawn_twilio_socket(caf::local_actor* parent, services svc,
                                        net::ws_connection_ptr conn, proto::twilio_event start,
                                        call_supervisor_actor supervisor,
                                        relay::media_relay_ptr relay) {
  // Linked: it dies with its supervisor (actors/call_supervisor.hpp).
  return parent->spawn<caf::monitored + caf::linked>(twilio_socket, std::move(svc), std::move(conn),
                                                     std::move(start), std::move(supervisor),
                                                     std::move(relay));
}

} // namespace sb::actors
