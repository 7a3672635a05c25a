// The registry answers a call's Voice webhook (the paths of
// actors/webhook_answer.hpp that reach it): the tenant from the cache or the
// database, the call admitted or turned away, its supervisor spawned.
#include "actors/registry_state.hpp"

#include "actors/call_supervisor.hpp"
#include "actors/finalizer.hpp"
#include "common/log.hpp"
#include "common/time.hpp"
#include "receptionist/languages.hpp"
#include "receptionist/variants.hpp"

#include <caf/all.hpp>

namespace sb::actors::detail {

/// A caller over a limit, offered voicemail: the call is stored as ended
/// (over_limit) with its job card, which the recording then fills in
/// (storage record_voicemail). Written once, like any call: a retried
/// webhook finds it finalized.
void store_refused(registry_ptr self, refused_call r) {
  auto& st = self->state;
  auto& c = r.call;
  c.tenant_number = r.tenant.number;
  c.end_reason = end_reason::over_limit;
  c.end_detail = r.why + "; offered voicemail";
  c.ended_at_ms = now_ms();
  c.status = call_status::completed; // Twilio answered it, with our voicemail
  auto sid = c.call_sid;
  auto finalizer = spawn_finalizer(self, st.svc, transcript_actor{});
  // No booking and no analysis: the caller never reached the assistant.
  finalize_request req{std::move(c), r.tenant, {}, {}, false};
  self->request(finalizer, st.svc.cfg->call.finalize, std::move(req))
      .then([](int64_t) {},
            [sid](caf::error& e) {
              log::error("RealtimeServer", "A call turned away (" + sid +
                                               ") could not be stored: " + caf::to_string(e));
            });
}

namespace {

/// The call rings through: answered with <Connect><Stream> (unless the
/// route answered already) and its supervisor spawned. `seen`: the tenant
/// with the call's variant applied; `tenant` as stored.
void ring(registry_ptr self, const twiml_responder& respond, storage::call_record call,
          std::shared_ptr<const storage::tenant> seen,
          std::shared_ptr<const storage::tenant> tenant, uint64_t stamp) {
  auto& st = self->state;
  auto twiml = stream_twiml(*st.svc.cfg, call, *seen);
  // Answer Twilio first (unless the route did already, from the tenant
  // cache): spawning the call's actors and starting the OpenAI connection
  // need not delay the webhook. The stream cannot overtake: stream_arrived
  // is handled after this handler returns.
  if (respond)
    respond(twiml);
  log::info("RealtimeHandler", "TwiML response for " + call.call_sid + ": Connect/Stream to " +
                                   st.svc.cfg->stream_url());
  auto sup = spawn_call_supervisor(self, st.svc, *seen, call);
  track_call(self, sup, call, std::move(twiml), std::move(tenant), stamp);
}

/// Path 7 (webhook_answer.hpp): the database admits the call of a tenant
/// limited across the cluster; its answer, or fail-open on this node's
/// count when the database cannot give one, goes to the webhook and to the
/// retries that came meanwhile.
void admit_in_cluster(registry_ptr self, twiml_responder respond, storage::call_record call,
                      std::shared_ptr<const storage::tenant> seen,
                      std::shared_ptr<const storage::tenant> tenant, uint64_t stamp) {
  auto& st = self->state;
  const auto sid = call.call_sid;
  st.admitting[sid].push_back(std::move(respond));
  const auto wait = st.svc.cfg->call.tenant_lookup;
  const int limit = limits_for(*st.svc.cfg, *tenant).tenant_concurrent;
  auto decided = [self, call, seen, tenant, stamp](bool rings, admission_verdict v) {
    auto& st = self->state;
    auto waiting = st.admitting.extract(call.call_sid);
    if (waiting.empty())
      return;
    auto& responders = waiting.mapped();
    if (rings) {
      ring(self, responders.front(), call, seen, tenant, stamp);
      if (auto a = st.answered_calls.find(call.call_sid); a != st.answered_calls.end())
        for (size_t i = 1; i < responders.size(); ++i)
          responders[i](a->second.twiml);
      return;
    }
    if (st.svc.admission) // not live here after all
      st.svc.admission->release(call.call_sid);
    note_refused(call, *tenant, v, st.svc.metrics.get());
    for (auto& r : responders)
      r(over_limit_twiml(*st.svc.cfg));
    if (over_limit_voicemail(*st.svc.cfg))
      store_refused(self, {call, *tenant, to_string(v)});
  };
  self->request(st.svc.storage, wait, cluster_admit{call, limit, wait.count() / 2})
      .then([decided](cluster_admission& a) { decided(rings_through(a.verdict), a.verdict); },
            [decided, sid](caf::error& e) {
              log::warn("RealtimeHandler",
                        "Call " + sid + ": the cluster-wide call limit could not be checked (" +
                            describe(e) + "); admitted on this node's own count");
              decided(true, admission_verdict::admitted);
            });
}

/// `stamp`: the tenant cache's when `tenant` was read (tenant_cache::stamp).
void answer(registry_ptr self, const twiml_responder& respond, storage::call_record call,
            std::shared_ptr<const storage::tenant> tenant, uint64_t stamp) {
  const storage::tenant& t = *tenant;
  auto& st = self->state;
  if (st.calls.count(call.call_sid) != 0) { // a concurrent retry: the same answer
    if (auto it = st.answered_calls.find(call.call_sid); respond && it != st.answered_calls.end())
      respond(it->second.twiml);
    return;
  }
  if (auto it = st.admitting.find(call.call_sid); it != st.admitting.end()) {
    if (respond) // a retry while the database admits it: answered with it
      it->second.push_back(respond);
    return;
  }
  auto verdict = admit_call(st.svc.admission.get(), *st.svc.cfg, call, t, st.svc.metrics.get());
  if (!rings_through(verdict)) {
    if (respond)
      respond(over_limit_twiml(*st.svc.cfg));
    if (over_limit_voicemail(*st.svc.cfg))
      store_refused(self, {std::move(call), t, to_string(verdict)});
    return; // the route answered from the cache only once admitted
  }
  call.tenant_number = t.number;
  call.node_id = st.svc.cfg->server.node_id;      // a restart of this node finds it if left open
  call.language = receptionist::call_language(t); // receptionist/languages.hpp
  // The call's A/B variant, from its CallSid (receptionist/variants.hpp).
  // The supervisor sees the tenant with the variant applied; the cache and
  // the retry map keep the tenant as stored.
  auto seen = tenant;
  if (const auto* v = receptionist::pick_variant(call.call_sid, t.variants)) {
    call.variant = v->name;
    seen = std::make_shared<const storage::tenant>(receptionist::with_variant(t, *v));
  }
  // The route answers a limited tenant's call on PostgreSQL only through
  // here (path 7); one it answered already (respond empty) is not asked again.
  if (respond && verdict == admission_verdict::admitted && cluster_limited(*st.svc.cfg, t))
    return admit_in_cluster(self, respond, std::move(call), std::move(seen), std::move(tenant),
                            stamp);
  ring(self, respond, std::move(call), std::move(seen), std::move(tenant), stamp);
}

/// The tenant of `call` was looked up (after a cache miss).
void on_looked_up(registry_ptr self, const twiml_responder& respond, storage::call_record call,
                  tenant_lookup& t, uint64_t stamp) {
  auto& st = self->state;
  if (!t.found) {
    if (st.svc.tenants)
      st.svc.tenants->forget(call.to);
    if (!respond) { // answered from a cache entry that is gone now
      if (st.svc.admission)
        st.svc.admission->release(call.call_sid);
      return;
    }
    log::warn("RealtimeHandler", "No user found for number " + call.to);
    respond(not_set_up_twiml());
    return;
  }
  auto tenant = std::make_shared<const storage::tenant>(std::move(t.tenant));
  if (st.svc.tenants)
    st.svc.tenants->put(tenant, call.to, now_ms(), stamp);
  answer(self, respond, std::move(call), std::move(tenant), stamp);
}

void look_up_and_answer(registry_ptr self, twiml_responder respond, storage::call_record call) {
  auto& st = self->state;
  if (!respond) // the route answered: its stream may come before the look-up does
    st.parked_streams.try_emplace(call.call_sid);
  const auto sid = call.call_sid;
  // Taken before storage reads: a change heard of meanwhile keeps this
  // answer out of the cache (tenant_cache.hpp).
  const uint64_t stamp = st.svc.tenants ? st.svc.tenants->stamp() : tenant_cache::stale;
  self->request(st.svc.storage, st.svc.cfg->call.tenant_lookup, find_tenant{call.to})
      .then(
          [self, respond, call, sid, stamp](tenant_lookup& t) mutable {
            on_looked_up(self, respond, std::move(call), t, stamp);
            release_parked(self, sid);
          },
          [self, respond, sid](caf::error& e) mutable {
            log::error("RealtimeHandler", "Tenant lookup failed: " + describe(e));
            if (respond)
              respond(unavailable_twiml());
            release_parked(self, sid);
          });
}

} // namespace

void on_inbound(registry_ptr self, inbound_call& in) {
  auto& st = self->state;
  if (auto it = st.answered_calls.find(in.call.call_sid); it != st.answered_calls.end()) {
    // Twilio retried the webhook.
    if (in.respond)
      in.respond(it->second.twiml);
    // The live call's tenant fills the route's cache again, unless it
    // changed since it was read.
    if (st.svc.tenants)
      st.svc.tenants->put(it->second.tenant, in.call.to, now_ms(), it->second.cache_stamp);
    return;
  }
  if (st.svc.tenants) {
    // The route answered from the cache (the entry may have expired since),
    // or left a limited tenant's call to the database (path 7).
    const uint64_t stamp = st.svc.tenants->stamp();
    if (auto t = st.svc.tenants->find(in.call.to, now_ms()))
      return answer(self, in.respond, std::move(in.call), std::move(t), stamp);
  }
  look_up_and_answer(self, std::move(in.respond), std::move(in.call));
}

} // namespace sb::actors::detail
