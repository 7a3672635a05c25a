#include "actors/openai_socket.hpp"

#include "actors/introspect.hpp"
#include "actors/messages.hpp"
#include "common/log.hpp"
#include "common/time.hpp"
#include "net/ws_client.hpp"
#include "protocol/base64.hpp"
#include "protocol/mulaw.hpp"

#include <caf/all.hpp>

#include <deque>

namespace sb::actors {

namespace {

/// Caller audio buffered while the session is not ready: 10 s of 20 ms frames.
constexpr std::size_t max_buffered_frames = 500;

/// One caller frame appended upstream, for locating speech_stopped's
/// audio_end_ms in time: the frame's end offset in this session's input
/// audio, when it arrived from Twilio and when it went to OpenAI.
struct upstream_frame {
  int64_t end_offset_bytes;
  int64_t received_us;
  int64_t sent_us;
};

struct openai_state {
  services svc;
  openai_socket_args args;
  caf::actor supervisor;
  net::ws_connection_ptr conn;
  bool ready = false;
  std::deque<audio_in> pending_in;
  std::deque<audio_out> pending_out;
  int64_t dropped_frames = 0;
  int64_t session_bytes = 0;
  std::deque<upstream_frame> recent; ///< the last ~10 s of upstream frames
  actor_stats stats;
  static inline const char* name = "openai_socket";
};

using self_ptr = caf::stateful_actor<openai_state>*;

void connect(self_ptr self) {
  auto& st = self->state;
  const auto& cfg = st.svc.cfg->openai;
  net::ws_client_options opts;
  opts.url = cfg.realtime_url;
  if (!cfg.api_key.empty()) opts.headers.emplace_back("Authorization", "Bearer " + cfg.api_key);
  opts.ca_file = cfg.ca_file;
  opts.connect_timeout = cfg.connect_timeout;
  opts.limits.max_frame_bytes = cfg.max_frame_bytes;
  caf::actor me = caf::actor_cast<caf::actor>(self);
  net::ws_handlers handlers{
    [me](std::string&& text) {
      caf::anon_send(me, openai_frame{std::move(text), mono_us()});
      return true;
    },
    [me](const std::string& reason) { caf::anon_send(me, socket_closed{reason}); }};
  net::ws_connect(*st.svc.io, std::move(opts), std::move(handlers), [me](net::ws_connect_result r) {
    caf::anon_send(me, openai_connected{std::move(r.conn), std::move(r.error), r.http_status});
  });
}

void send_upstream(self_ptr self, const audio_in& a) {
  auto& st = self->state;
  st.conn->send_text(proto::build_input_audio_append(a.payload_b64));
  auto bytes = static_cast<int64_t>(proto::base64_decoded_size(a.payload_b64));
  st.session_bytes += bytes;
  auto sent_us = mono_us();
  st.recent.push_back({st.session_bytes, a.received_us, sent_us});
  ++st.stats.out;
  if (auto* m = st.svc.metrics.get()) {
    m->bytes_caller_to_openai.inc(static_cast<double>(bytes));
    m->relay_latency_upstream.observe(static_cast<double>(sent_us - a.received_us) / 1e6);
  }
  if (st.recent.size() > max_buffered_frames) st.recent.pop_front();
}

void on_ready(self_ptr self) {
  auto& st = self->state;
  st.ready = true;
  log::info("RealtimeServer", "Session configured for " + st.args.call_sid);
  self->send(st.supervisor, openai_session_ready{st.args.reconnect});
  for (auto& a : st.pending_in) send_upstream(self, a);
  st.pending_in.clear();
}

void on_event(self_ptr self, openai_frame& f) {
  auto& st = self->state;
  auto parsed = proto::parse_server_event(f.text);
  if (!parsed) {
    log::warn("RealtimeServer", "Ignored a bad Realtime frame on " + st.args.call_sid + ": " +
                                  parsed.err().message);
    return;
  }
  auto& ev = *parsed;
  if (ev.type == proto::rt_type::output_audio_delta) {
    audio_out out{std::move(ev.item_id), std::move(ev.delta), f.received_us};
    ++st.stats.out;
    if (st.args.downstream) self->send(st.args.downstream, std::move(out));
    else st.pending_out.push_back(std::move(out)); // greeting before the stream attached
    return;
  }
  if (st.svc.cfg->debug.realtime) log::debug("RealtimeServer", st.args.call_sid + " <- " + ev.type_name);
  if (ev.type == proto::rt_type::session_updated && !st.ready) {
    on_ready(self);
    return;
  }
  realtime_event out{std::move(ev), f.received_us};
  if (out.ev.type == proto::rt_type::speech_stopped && out.ev.audio_end_ms >= 0) {
    // The frame that carried the end of speech: when it reached us, and how
    // long we held it before it went to OpenAI.
    int64_t end = out.ev.audio_end_ms * proto::mulaw_bytes_per_ms;
    for (const auto& fr : st.recent) {
      if (fr.end_offset_bytes >= end) {
        out.speech_end_us = fr.received_us;
        out.upstream_bridge_us = fr.sent_us - fr.received_us;
        break;
      }
    }
  }
  if (out.ev.type == proto::rt_type::error)
    log::warn("RealtimeServer", "OpenAI error on " + st.args.call_sid + ": " + out.ev.error_code +
                                  ": " + out.ev.error_message);
  ++st.stats.out;
  self->send(st.supervisor, std::move(out));
}

caf::behavior openai_socket(self_ptr self, services svc, openai_socket_args args,
                            caf::actor sup) {
  auto& st = self->state;
  st.svc = std::move(svc);
  st.args = std::move(args);
  st.supervisor = std::move(sup);
  if (st.args.delay.count() > 0) self->delayed_send(self, st.args.delay, reconnect_atom::value);
  else connect(self);
  auto state_of = [self] {
    auto& st = self->state;
    return std::string{st.ready ? "ready" : st.conn ? "configuring" : "connecting"};
  };
  return introspected(
    self, st.svc, "openai_socket", &st.stats, state_of,
    [self](reconnect_atom) { connect(self); },
    [self](openai_connected& c) {
      auto& st = self->state;
      self->send(st.svc.registry, openai_observation{c.conn != nullptr});
      if (!c.conn) {
        log::warn("RealtimeServer", "OpenAI Realtime connection failed for " + st.args.call_sid +
                                      ": " + c.error);
        self->quit(caf::make_error(caf::sec::runtime_error, "openai unavailable: " + c.error));
        return;
      }
      st.conn = std::move(c.conn);
      // Whatever ends this actor, its socket closes with it.
      self->attach_functor([conn = st.conn] { conn->close(); });
      log::info("RealtimeServer", "Connected to OpenAI Realtime API for " + st.args.call_sid);
      st.conn->send_text(proto::build_session_update(st.args.session));
    },
    [self](openai_frame& f) { on_event(self, f); },
    [self](audio_in& a) {
      auto& st = self->state;
      if (st.ready) {
        send_upstream(self, a);
        return;
      }
      st.pending_in.push_back(std::move(a));
      if (st.pending_in.size() > max_buffered_frames) {
        st.pending_in.pop_front();
        ++st.dropped_frames;
      }
    },
    [self](openai_send& m) {
      if (self->state.conn) self->state.conn->send_text(std::move(m.json));
    },
    [self](attach_atom, caf::actor& downstream) {
      auto& st = self->state;
      st.args.downstream = std::move(downstream);
      for (auto& a : st.pending_out) self->send(st.args.downstream, std::move(a));
      st.pending_out.clear();
    },
    [self](socket_closed& c) {
      std::string why = c.reason.empty() ? "closed by OpenAI" : c.reason;
      self->quit(caf::make_error(caf::sec::runtime_error, "openai socket lost: " + why));
    });
}

} // namespace

caf::actor spawn_openai_socket(caf::local_actor* parent, services svc, openai_socket_args args,
                               caf::actor supervisor) {
  return parent->spawn<caf::monitored>(openai_socket, std::move(svc), std::move(args),
                                       std::move(supervisor));
}

} // namespace sb::actors
