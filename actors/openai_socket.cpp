#include "actors/openai_socket.hpp"

#include "actors/introspect.hpp"
#include "actors/wire_tap.hpp"
#include "common/log.hpp"
#include "common/log_throttle.hpp"
#include "common/time.hpp"
#include "net/ws_client.hpp"

#include <caf/all.hpp>

namespace sb::actors {

namespace {

struct openai_state {
  services svc;
  openai_socket_args args;
  call_supervisor_actor supervisor;
  net::ws_connection_ptr conn;
  bool ready = false;
  bool live = true;           ///< false while a standby (args.standby) has not taken over
  int64_t speech_end_ms = -1; ///< the latest speech_stopped's audio_end_ms
  actor_stats stats;
  static inline const char* name = "openai_socket";
};

using self_ptr = openai_socket_actor::stateful_pointer<openai_state>;

/// On the io thread, for every frame: audio deltas go to the relay, bad
/// frames are logged and dropped, every other event goes to the actor.
/// Bad frames are logged one line a second per connection at most (a broken
/// peer could send one per delta); `bad` counts the rest.
void on_text(const openai_socket_actor& me, relay::media_relay& relay, const log::context& ctx,
             log::throttle& bad, std::string&& text) {
  auto now = mono_us();
  auto parsed = proto::parse_server_event(text);
  if (!parsed) {
    int64_t held_back = 0;
    if (bad.allow(now_ms(), held_back))
      log::warn("RealtimeServer",
                "Ignored a bad Realtime frame on " + ctx.call_sid + ": " + parsed.err().message +
                    log::more_since(held_back),
                ctx);
    return;
  }
  auto& ev = *parsed;
  if (ev.type == proto::rt_type::output_audio_delta) {
    relay.assistant_audio(std::move(ev.item_id), std::move(ev.delta), now);
    return;
  }
  caf::anon_send(me, realtime_event{std::move(ev), now});
}

void connect(self_ptr self) {
  auto& st = self->state;
  const auto& cfg = st.svc.cfg->openai;
  net::ws_client_options opts;
  opts.url = cfg.realtime_url;
  if (!cfg.api_key.empty())
    opts.headers.emplace_back("Authorization", "Bearer " + cfg.api_key);
  opts.ca_file = cfg.ca_file;
  opts.connect_timeout = cfg.connect_timeout;
  opts.limits.max_frame_bytes = cfg.max_frame_bytes;
  // The silence watchdog (openai.silence_ms): Beast's idle timeout with
  // keep-alive pings. A ping goes out every silence/2; any byte read (an
  // event or the pong) rearms it, so only a peer that sends nothing and
  // answers no ping is closed, with "idle timeout" (net/ws_session.cpp; Beast
  // websocket/impl/stream_impl.hpp timeout_handler). Events alone would not
  // do: the real service says nothing while the caller is silent.
  opts.limits.idle_timeout_ms = static_cast<int>(cfg.silence.count());
  auto me = caf::actor_cast<openai_socket_actor>(self);
  auto bad = std::make_shared<log::throttle>(1000); // this connection's bad frames
  net::ws_handlers handlers{[me, relay = st.args.relay, ctx = st.svc.log, bad](std::string&& text) {
                              on_text(me, *relay, ctx, *bad, std::move(text));
                              return true;
                            },
                            [me, bad, ctx = st.svc.log](const std::string& reason) {
                              if (auto n = bad->held_back(); n > 0)
                                log::warn("RealtimeServer",
                                          "Ignored " + std::to_string(n) +
                                              " more bad Realtime frames on " + ctx.call_sid +
                                              " (not logged one by one)",
                                          ctx);
                              caf::anon_send(me, socket_closed{reason});
                            }};
  handlers.on_wire = wire_tap(st.svc.cfg->debug.realtime, "RealtimeServer", st.svc.log);
  net::ws_connect(*st.svc.io, std::move(opts), std::move(handlers), [me](net::ws_connect_result r) {
    caf::anon_send(me, openai_connected{std::move(r.conn), std::move(r.error), r.http_status});
  });
}

void on_event(self_ptr self, realtime_event& e) {
  auto& st = self->state;
  if (e.ev.type == proto::rt_type::session_updated && !st.ready) {
    st.ready = true;
    log::info("RealtimeServer",
              std::string{st.live ? "Session" : "Standby session"} + " configured for " +
                  st.args.call_sid,
              st.svc.log);
    ++st.stats.out;
    self->send(st.supervisor, openai_session_ready{st.args.reconnect, !st.live});
    if (st.live)
      st.args.relay->openai_ready();
    return;
  }
  if (!st.live) { // a standby's events (the replayed items' echoes) concern nobody yet
    if (e.ev.type == proto::rt_type::error)
      log::warn("RealtimeServer",
                "OpenAI error on the standby session of " + st.args.call_sid + ": " +
                    e.ev.error_code + ": " + e.ev.error_message,
                st.svc.log);
    return;
  }
  if (e.ev.type == proto::rt_type::speech_stopped && e.ev.audio_end_ms >= 0) {
    // The frame that carried the end of speech: when it reached us, and how
    // long we held it before it went to OpenAI.
    auto t = st.args.relay->locate_input(e.ev.audio_end_ms);
    if (t.received_us >= 0) {
      e.speech_end_us = t.received_us;
      e.upstream_bridge_us = t.sent_us - t.received_us;
    }
    st.speech_end_ms = e.ev.audio_end_ms;
  }
  // The caller's words are in the transcript now: a replacement session gets
  // them as text, not as audio again (media_relay::detach_openai).
  if ((e.ev.type == proto::rt_type::input_transcript_completed ||
       e.ev.type == proto::rt_type::input_transcript_failed) &&
      st.speech_end_ms >= 0)
    st.args.relay->input_transcribed(st.speech_end_ms);
  if (e.ev.type == proto::rt_type::error)
    log::warn("RealtimeServer",
              "OpenAI error on " + st.args.call_sid + ": " + e.ev.error_code + ": " +
                  e.ev.error_message,
              st.svc.log);
  ++st.stats.out;
  self->send(st.supervisor, std::move(e));
}

openai_socket_actor::behavior_type
openai_socket(self_ptr self, services svc, openai_socket_args args, call_supervisor_actor sup) {
  auto& st = self->state;
  st.svc = std::move(svc);
  st.args = std::move(args);
  st.supervisor = std::move(sup);
  st.live = !st.args.standby;
  st.stats.relayed_in = &st.args.relay->frames_down();
  st.stats.relayed_out = &st.args.relay->frames_up();
  if (st.args.delay.count() > 0)
    self->delayed_send(self, st.args.delay, connect_atom::value);
  else
    connect(self);
  auto state_of = [self] {
    auto& st = self->state;
    return std::string{st.ready ? "ready" : st.conn ? "configuring" : "connecting"};
  };
  return introspected<openai_socket_actor::behavior_type>(
      self, st.svc, "openai_socket", &st.stats, state_of, [self](connect_atom) { connect(self); },
      [self](openai_connected& c) {
        auto& st = self->state;
        self->send(st.svc.registry, openai_observation{c.conn != nullptr});
        if (!c.conn) {
          log::warn("RealtimeServer",
                    "OpenAI Realtime connection failed for " + st.args.call_sid + ": " + c.error,
                    st.svc.log);
          self->quit(make_error(call_error::openai_unavailable, c.error));
          return;
        }
        st.conn = std::move(c.conn);
        // Whatever ends this actor, its socket closes with it, and caller
        // audio is held for the next connection.
        // A lost connection (rather than our own close at a session switch
        // or the call's end) also resends the audio it never answered (the
        // supervisor sees the same openai_socket_lost as before). One-argument
        // form: caf/detail/functor_attachable.hpp (CAF 0.17).
        self->attach_functor([conn = st.conn, relay = st.args.relay](const caf::error& reason) {
          bool lost = reason.category() == call_error_category &&
                      reason.code() == static_cast<uint8_t>(call_error::openai_socket_lost);
          relay->detach_openai(conn, lost);
          conn->close();
        });
        log::info("RealtimeServer", "Connected to OpenAI Realtime API for " + st.args.call_sid,
                  st.svc.log);
        if (st.live)                             // a standby joins the audio path at take_over_atom
          st.args.relay->attach_openai(st.conn); // holds caller audio until session.updated
        st.conn->send_text(proto::build_session_update(st.args.session));
      },
      [self](realtime_event& e) { on_event(self, e); },
      [self](openai_send& m) {
        if (self->state.conn)
          self->state.conn->send_text(std::move(m.json));
      },
      [self](take_over_atom) {
        auto& st = self->state;
        if (st.live || !st.conn)
          return;
        st.live = true; // the replayed items were written before this, in mailbox order
        st.args.relay->switch_openai(st.conn);
        log::info("RealtimeServer", "The standby session took over " + st.args.call_sid,
                  st.svc.log);
      },
      [self](socket_closed& c) {
        std::string why = c.reason.empty() ? "closed by OpenAI" : c.reason;
        if (c.reason == "idle timeout") // the silence watchdog, above
          why = "silent for " + std::to_string(self->state.svc.cfg->openai.silence.count()) +
                " ms (no event, no pong)";
        self->quit(make_error(call_error::openai_socket_lost, why));
      });
}

} // namespace

openai_socket_actor spawn_openai_socket(caf::local_actor* parent, services svc,
                                        openai_socket_args args, call_supervisor_actor supervisor) {
  // Linked: it dies with its supervisor (actors/call_supervisor.hpp).
  return parent->spawn<caf::monitored + caf::linked>(openai_socket, std::move(svc), std::move(args),
                                                     std::move(supervisor));
}

} // namespace sb::actors
