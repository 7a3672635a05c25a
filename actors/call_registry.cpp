#include "actors/call_registry.hpp"

#include "actors/call_supervisor.hpp"
#include "actors/messages.hpp"
#include "common/log.hpp"
#include "common/time.hpp"
#include "protocol/twiml.hpp"

#include <caf/all.hpp>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <map>

namespace sb::actors {

namespace {

struct registry_state {
  services svc;
  std::map<std::string, caf::actor> calls;        ///< by CallSid
  std::map<caf::actor_addr, std::string> sid_of;  ///< supervisor -> CallSid
  std::map<std::string, call_snapshot> snapshots; ///< by CallSid
  /// How a live call was answered, by CallSid: for a repeated webhook.
  struct answered {
    std::string twiml;
    std::shared_ptr<const storage::tenant> tenant; ///< refills the route's tenant cache on a repeat
  };
  std::map<std::string, answered> answered_calls;
  health_info health;
  std::vector<caf::response_promise> drained; ///< waiting for every call to end
  static inline const char* name = "call_registry";
};

using self_ptr = caf::stateful_actor<registry_state>*;

void answer(self_ptr self, const net::responder& respond, storage::call_record call,
            std::shared_ptr<const storage::tenant> tenant) {
  const storage::tenant& t = *tenant;
  auto& st = self->state;
  if (st.calls.count(call.call_sid) != 0) { // a concurrent retry: the same answer
    if (auto it = st.answered_calls.find(call.call_sid); respond && it != st.answered_calls.end())
      respond(net::http_response::xml(it->second.twiml));
    return;
  }
  call.tenant_number = t.number;
  auto twiml = stream_twiml(*st.svc.cfg, call, t);
  // Answer Twilio first (unless the route did already, from the tenant
  // cache): spawning the call's actors and starting the OpenAI connection
  // need not delay the webhook. The stream cannot overtake: stream_arrived
  // is handled after this handler returns.
  if (respond) respond(net::http_response::xml(twiml));
  log::info("RealtimeHandler", "TwiML response for " + call.call_sid + ": Connect/Stream to " +
                                 st.svc.cfg->stream_url());
  auto sup = spawn_call_supervisor(self, st.svc, t, call);
  st.calls[call.call_sid] = sup;
  st.sid_of[sup.address()] = call.call_sid;
  st.answered_calls[call.call_sid] = {std::move(twiml), std::move(tenant)};
  if (st.svc.metrics) st.svc.metrics->active_calls.inc();
}

void on_inbound(self_ptr self, inbound_call& in) {
  auto& st = self->state;
  if (auto it = st.answered_calls.find(in.call.call_sid); it != st.answered_calls.end()) {
    // Twilio retried the webhook.
    if (in.respond) in.respond(net::http_response::xml(it->second.twiml));
    // The live call's tenant fills the route's cache again.
    if (st.svc.tenants) st.svc.tenants->put(it->second.tenant, in.call.to, now_ms());
    return;
  }
  if (st.svc.tenants && !in.respond) {
    // The route answered from the cache; the entry may have expired since.
    if (auto t = st.svc.tenants->find(in.call.to, now_ms()))
      return answer(self, in.respond, std::move(in.call), std::move(t));
  }
  auto respond = in.respond;
  auto call = in.call;
  self->request(st.svc.storage, std::chrono::seconds{5}, find_tenant{call.to})
    .then(
      [self, respond, call](std::optional<storage::tenant>& t) mutable {
        auto& st = self->state;
        if (!t) {
          if (st.svc.tenants) st.svc.tenants->forget(call.to);
          if (!respond) return; // answered from a cache entry that is gone now
          log::warn("RealtimeHandler", "No user found for number " + call.to);
          respond(net::http_response::xml(proto::twiml_say_hangup(
            "Sorry, this number is not set up to take calls yet. Goodbye.")));
          return;
        }
        auto tenant = std::make_shared<const storage::tenant>(std::move(*t));
        if (st.svc.tenants) st.svc.tenants->put(tenant, call.to, now_ms());
        answer(self, respond, std::move(call), std::move(tenant));
      },
      [respond](caf::error& e) mutable {
        log::error("RealtimeHandler", "Tenant lookup failed: " + caf::to_string(e));
        if (respond) respond(net::http_response::xml(proto::twiml_say_hangup(
          "Sorry, we cannot take your call right now. Please try again later.")));
      });
}

void on_stream(self_ptr self, stream_arrived& s) {
  auto& st = self->state;
  std::string sid = s.start.call_sid;
  auto it = st.calls.find(sid);
  if (it == st.calls.end()) {
    log::warn("RealtimeServer", "Media Stream for unknown call " + sid + " closed");
    s.conn->close();
    return;
  }
  self->send(it->second, std::move(s));
}

std::string health_json(const registry_state& st) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w{buf};
  w.StartObject();
  w.Key("status");
  w.String("healthy");
  w.Key("service");
  w.String("realtime-api");
  w.Key("openaiConnected");
  w.Bool(st.health.openai_connected);
  w.Key("openaiObservedAt");
  if (st.health.openai_observed_at_ms) w.String(iso8601_utc(st.health.openai_observed_at_ms).c_str());
  else w.Null();
  w.Key("activeSessions");
  w.Int(static_cast<int>(st.calls.size()));
  w.Key("timestamp");
  w.String(iso8601_utc(now_ms()).c_str());
  w.EndObject();
  return buf.GetString();
}

std::string sessions_json(const registry_state& st) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w{buf};
  w.StartObject();
  w.Key("sessions");
  w.StartArray();
  for (const auto& [sid, s] : st.snapshots) {
    if (st.calls.count(sid) == 0) continue;
    w.StartObject();
    w.Key("callSid");
    w.String(sid.c_str());
    w.Key("tenant");
    w.String(s.tenant_number.c_str());
    w.Key("tenantName");
    w.String(s.tenant_name.c_str());
    w.Key("from");
    w.String(s.from.c_str());
    w.Key("state");
    w.String(s.state.c_str());
    w.Key("duration");
    w.Int64(now_ms() - s.started_at_ms);
    w.Key("conversationTurns");
    w.Int(s.turns);
    w.Key("hasBookingInfo");
    w.Bool(s.has_booking);
    w.Key("openaiConnected");
    w.Bool(s.openai_connected);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return buf.GetString();
}

caf::behavior registry(self_ptr self, services svc) {
  self->state.svc = std::move(svc);
  self->state.svc.registry = caf::actor_cast<caf::actor>(self);
  self->set_down_handler([self](caf::down_msg& dm) {
    auto& st = self->state;
    auto it = st.sid_of.find(dm.source);
    if (it == st.sid_of.end()) return;
    if (st.svc.metrics) st.svc.metrics->active_calls.dec();
    st.calls.erase(it->second);
    st.snapshots.erase(it->second);
    st.answered_calls.erase(it->second);
    st.sid_of.erase(it);
    if (st.calls.empty()) {
      for (auto& p : st.drained) p.deliver(ack_atom::value);
      st.drained.clear();
    }
  });
  return {
    [self](inbound_call& in) { on_inbound(self, in); },
    [self](stream_arrived& s) { on_stream(self, s); },
    [self](recording_update& r) {
      auto respond = r.respond;
      self->request(self->state.svc.storage, std::chrono::seconds{5},
                    set_recording{r.call_sid, r.url, r.duration_s})
        .then([respond](ack_atom) mutable { respond(net::http_response::text(200, "OK")); },
              [respond](caf::error&) mutable {
                respond(net::http_response::text(500, "could not store the recording"));
              });
    },
    [self](call_snapshot& s) {
      if (self->state.calls.count(s.call_sid) != 0) self->state.snapshots[s.call_sid] = s;
    },
    [self](openai_observation& o) {
      self->state.health.openai_connected = o.connected;
      self->state.health.openai_observed_at_ms = now_ms();
    },
    [self](health_atom, http_query& q) {
      q.respond(net::http_response::json(200, health_json(self->state)));
    },
    [self](sessions_atom, http_query& q) {
      q.respond(net::http_response::json(200, sessions_json(self->state)));
    },
    [self](hangup_atom, const std::string& sid) {
      auto it = self->state.calls.find(sid);
      if (it == self->state.calls.end()) return false;
      self->send(it->second, hangup_atom::value);
      return true;
    },
    [self](stats_atom) { return static_cast<int>(self->state.calls.size()); },
    [self](shutdown_atom) -> caf::result<ack_atom> {
      auto& st = self->state;
      for (auto& [sid, sup] : st.calls) self->send(sup, shutdown_atom::value);
      if (st.calls.empty()) return ack_atom::value;
      auto p = self->make_response_promise();
      st.drained.push_back(p);
      return caf::delegated<ack_atom>{};
    },
  };
}

} // namespace

caf::actor spawn_registry(caf::actor_system& sys, services svc) {
  return sys.spawn(registry, std::move(svc));
}

} // namespace sb::actors
