#include "actors/twilio_socket.hpp"

#include "actors/introspect.hpp"
#include "actors/messages.hpp"
#include "common/log.hpp"
#include "common/time.hpp"
#include "protocol/base64.hpp"
#include "protocol/mulaw.hpp"
#include "protocol/playout.hpp"

#include <caf/all.hpp>

#include <set>
#include <unordered_map>

namespace sb::actors {

namespace {

struct twilio_state {
  services svc;
  net::ws_connection_ptr conn;
  std::string stream_sid;
  std::string call_sid;
  caf::actor supervisor;
  caf::actor upstream;
  proto::playout_tracker playout;
  std::unordered_map<std::string, std::size_t> sent_bytes; ///< per assistant item
  std::set<std::string> cut_items; ///< barge-in cut these: their late audio is dropped
  bool stopped = false;            ///< `stop` received
  bool hanging_up = false;         ///< close once playout is done
  int64_t frames_in = 0;
  int64_t bad_frames = 0;
  actor_stats stats;
  static inline const char* name = "twilio_socket";
};

using self_ptr = caf::stateful_actor<twilio_state>*;

void close_if_played(self_ptr self) {
  auto& st = self->state;
  if (st.hanging_up && !st.playout.playing()) st.conn->close();
}

void send_audio(self_ptr self, const std::string& item_id, const std::string& payload_b64,
                int64_t received_us) {
  auto& st = self->state;
  auto bytes = proto::base64_decoded_size(payload_b64);
  auto& sent = st.sent_bytes[item_id];
  bool first = sent == 0;
  sent += bytes;
  st.conn->send_text(proto::build_twilio_media(st.stream_sid, payload_b64));
  st.conn->send_text(proto::build_twilio_mark(st.stream_sid, st.playout.on_audio_sent(item_id, bytes)));
  ++st.stats.out;
  if (auto* m = st.svc.metrics.get()) {
    m->bytes_openai_to_caller.inc(static_cast<double>(bytes));
    m->relay_latency_downstream.observe(static_cast<double>(mono_us() - received_us) / 1e6);
  }
  if (first) self->send(st.supervisor, first_audio_sent{item_id, received_us, mono_us()});
}

void on_frame(self_ptr self, twilio_frame& f) {
  auto& st = self->state;
  ++st.frames_in;
  auto ev = proto::parse_twilio_event(f.text);
  if (!ev) {
    // Bad input is logged and survived: one bad frame must not end the call.
    ++st.bad_frames;
    log::warn("TwilioStream", "Ignored a bad Media Stream frame on " + st.call_sid + ": " +
                                ev.err().code + ": " + ev.err().message);
    return;
  }
  if (st.svc.cfg->debug.twilio && ev->type != proto::twilio_event_type::media)
    log::debug("TwilioStream", st.call_sid + " <- " + ev->type_name);
  switch (ev->type) {
    case proto::twilio_event_type::media:
      if (!ev->track.empty() && ev->track != "inbound") return; // only the caller's leg
      ++st.stats.out;
      self->send(st.upstream, audio_in{std::move(ev->payload_b64), f.received_us});
      return;
    case proto::twilio_event_type::mark:
      st.playout.on_mark(ev->mark_name);
      close_if_played(self);
      return;
    case proto::twilio_event_type::stop:
      st.stopped = true;
      self->send(st.supervisor, stream_stopped{});
      return;
    case proto::twilio_event_type::dtmf:
      self->send(st.supervisor, dtmf_digit{ev->digit});
      return;
    case proto::twilio_event_type::connected:
    case proto::twilio_event_type::start:
      return;
    case proto::twilio_event_type::unknown:
      log::warn("TwilioStream", "Ignored unknown Media Stream event '" + ev->type_name + "' on " +
                                  st.call_sid);
      return;
  }
}

barge_in_cut barge_in(self_ptr self) {
  auto& st = self->state;
  barge_in_cut cut;
  if (!st.playout.playing()) return cut;
  st.conn->send_text(proto::build_twilio_clear(st.stream_sid));
  auto c = st.playout.on_clear();
  cut.cleared = true;
  cut.item_id = c.item_id;
  cut.heard_ms = c.heard_ms;
  cut.sent_ms = static_cast<int64_t>(st.sent_bytes[c.item_id]) / proto::mulaw_bytes_per_ms;
  if (!c.item_id.empty()) st.cut_items.insert(c.item_id);
  close_if_played(self);
  return cut;
}

caf::behavior twilio_socket(self_ptr self, services svc, net::ws_connection_ptr conn,
                            proto::twilio_event start, caf::actor sup, caf::actor upstream) {
  auto& st = self->state;
  st.svc = std::move(svc);
  st.conn = std::move(conn);
  st.stream_sid = start.stream_sid;
  st.call_sid = start.call_sid;
  st.supervisor = std::move(sup);
  st.upstream = std::move(upstream);
  st.playout.set_prefix("a");
  caf::actor me = caf::actor_cast<caf::actor>(self);
  st.conn->set_handlers(net::ws_handlers{
    [me](std::string&& text) {
      caf::anon_send(me, twilio_frame{std::move(text), mono_us()});
      return true;
    },
    [me](const std::string& reason) { caf::anon_send(me, socket_closed{reason}); }});
  st.conn->resume_reading();
  // Whatever ends this actor, its socket closes with it.
  self->attach_functor([c = st.conn] { c->close(); });
  auto state_of = [self] {
    auto& st = self->state;
    return std::string{st.hanging_up ? "hanging_up" : st.stopped ? "stopped" : "streaming"};
  };
  return introspected(
    self, st.svc, "twilio_socket", &st.stats, state_of,
    [self](twilio_frame& f) { on_frame(self, f); },
    [self](audio_out& a) {
      if (self->state.cut_items.count(a.item_id) != 0) return; // late audio of a cut item
      send_audio(self, a.item_id, a.payload_b64, a.received_us);
    },
    [self](attach_atom, caf::actor& upstream) { self->state.upstream = std::move(upstream); },
    [self](barge_in_request) { return barge_in(self); },
    [self](hangup_after_playout) {
      self->state.hanging_up = true;
      close_if_played(self);
    },
    [self](hangup_atom, std::string& audio) {
      // 200 ms chunks, like a Realtime response, so marks track its playback.
      constexpr std::size_t chunk = 200 * proto::mulaw_bytes_per_ms;
      for (std::size_t at = 0; at < audio.size(); at += chunk)
        send_audio(self, "apology", proto::base64_encode(audio.substr(at, chunk)), mono_us());
      self->state.hanging_up = true;
      close_if_played(self);
    },
    [self](socket_closed& c) {
      auto& st = self->state;
      if (st.stopped || st.hanging_up) {
        self->quit(caf::exit_reason::normal);
      } else {
        std::string why = c.reason.empty() ? "closed without stop" : c.reason;
        self->quit(caf::make_error(caf::sec::runtime_error, "twilio socket lost: " + why));
      }
    });
}

} // namespace

caf::actor spawn_twilio_socket(caf::local_actor* parent, services svc, net::ws_connection_ptr conn,
                               proto::twilio_event start, caf::actor supervisor,
                               caf::actor upstream) {
  return parent->spawn<caf::monitored>(twilio_socket, std::move(svc), std::move(conn),
                                       std::move(start), std::move(supervisor),
                                       std::move(upstream));
}

} // namespace sb::actors
