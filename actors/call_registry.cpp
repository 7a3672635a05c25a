#include "actors/call_registry.hpp"

#include "actors/call_supervisor.hpp"
#include "actors/finalizer.hpp"
#include "actors/registry_state.hpp"
#include "common/log.hpp"
#include "common/time.hpp"
#include "receptionist/languages.hpp"
#include "receptionist/variants.hpp"

#include <caf/all.hpp>

#include <algorithm>

namespace sb::actors {

namespace {

using namespace detail;
using self_ptr = registry_ptr;

/// A caller over a limit, offered voicemail: the call is stored as ended
/// (over_limit) with its job card, which the recording then fills in
/// (storage record_voicemail). Written once, like any call: a retried
/// webhook finds it finalized.
void store_refused(self_ptr self, refused_call r) {
  auto& st = self->state;
  auto& c = r.call;
  c.tenant_number = r.tenant.number;
  c.end_reason = end_reason::over_limit;
  c.end_detail = r.why + "; offered voicemail";
  c.ended_at_ms = now_ms();
  c.status = call_status::completed; // Twilio answered it, with our voicemail
  auto sid = c.call_sid;
  auto finalizer = spawn_finalizer(self, st.svc, transcript_actor{});
  self->request(finalizer, st.svc.cfg->call.finalize, finalize_request{std::move(c), r.tenant, {}})
      .then([](int64_t) {},
            [sid](caf::error& e) {
              log::error("RealtimeServer", "A call turned away (" + sid +
                                               ") could not be stored: " + caf::to_string(e));
            });
}

/// The call rings through: answered with <Connect><Stream> (unless the
/// route answered already) and its supervisor spawned. `seen`: the tenant
/// with the call's variant applied; `tenant` as stored.
void ring(self_ptr self, const twiml_responder& respond, storage::call_record call,
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
void admit_in_cluster(self_ptr self, twiml_responder respond, storage::call_record call,
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
void answer(self_ptr self, const twiml_responder& respond, storage::call_record call,
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

/// The look-up of `sid` is over: the streams that came during it go to its
/// call, or are closed if it has none.
void release_parked(self_ptr self, const std::string& sid) {
  auto& st = self->state;
  auto parked = st.parked_streams.extract(sid);
  if (parked.empty())
    return;
  auto it = st.calls.find(sid);
  for (auto& s : parked.mapped()) {
    if (it != st.calls.end()) {
      self->send(it->second, std::move(s));
    } else {
      log::warn("RealtimeServer", "Media Stream for unanswered call " + sid + " closed");
      s.conn->close();
    }
  }
}

/// The tenant of `call` was looked up (after a cache miss).
void on_looked_up(self_ptr self, const twiml_responder& respond, storage::call_record call,
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

void look_up_and_answer(self_ptr self, twiml_responder respond, storage::call_record call) {
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

void on_inbound(self_ptr self, inbound_call& in) {
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

void on_stream(self_ptr self, stream_arrived& s) {
  auto& st = self->state;
  auto it = st.calls.find(s.start.call_sid);
  if (it == st.calls.end()) {
    if (auto p = st.parked_streams.find(s.start.call_sid); p != st.parked_streams.end()) {
      p->second.push_back(std::move(s)); // its call is being answered: handed over then
      return;
    }
    if (resume_stream(self, s))
      return;
    log::warn("RealtimeServer", "Media Stream for unknown call " + s.start.call_sid + " closed");
    s.conn->close();
    return;
  }
  self->send(it->second, std::move(s));
}

/// Twilio asks for what follows a stream within seconds of its end (the
/// <Redirect> after </Connect>; a held call's is asked again on resume, so
/// it outlives [resume] grace_ms). Two minutes, not longer: every entry is
/// memory held per ended call (the soak's RSS plateau, bench/RESULTS.md).
int64_t next_step_ttl_ms(const registry_state& st) {
  return std::max<int64_t>(2 * 60'000, 2 * st.svc.cfg->resume.grace.count());
}

void remember_next(registry_state& st, call_next& n) {
  const int64_t now = now_ms();
  const int64_t ttl = next_step_ttl_ms(st);
  while (!st.next_order.empty() && now - st.next_order.front().first > ttl) {
    auto it = st.next_steps.find(st.next_order.front().second);
    if (it != st.next_steps.end() && now - it->second.second > ttl)
      st.next_steps.erase(it);
    st.next_order.pop_front();
  }
  log::info("RealtimeHandler", "After its stream, " + n.call_sid + " goes to " +
                                   (n.voicemail ? "voicemail" : "hang-up") +
                                   (n.why.empty() ? "" : " (" + n.why + ")"));
  auto sid = n.call_sid;
  st.next_steps[sid] = {std::move(n), now};
  st.next_order.emplace_back(now, std::move(sid));
}

/// The recording status callback: stored on its call, which must be live
/// or stored (a callback for an unknown CallSid invents no call).
caf::typed_response_promise<bool> record(self_ptr self, const recording_update& r) {
  auto rp = self->make_response_promise<bool>();
  bool live = self->state.calls.count(r.call_sid) != 0;
  self->request(self->state.svc.storage, self->state.svc.cfg->call.storage_write,
                set_recording{r.call_sid, r.url, r.duration_s, live})
      .then(
          [self, rp](bool known) mutable {
            if (known && self->state.svc.notifier) // a voicemail's push may be waiting
              self->send(self->state.svc.notifier, wake_atom::value);
            rp.deliver(known);
          },
          [rp](caf::error& e) mutable { rp.deliver(e); });
  return rp;
}

/// <Dial>'s action after a transfer: its outcome goes on the call and its
/// job card by CallSid. The call is usually finalized by then (Twilio's
/// update ended the stream before the person's phone rang); if not, the
/// row is made or updated and finalize keeps the outcome.
void transfer_outcome(self_ptr self, const transfer_ended& t) {
  bool live = self->state.calls.count(t.call_sid) != 0;
  log::info("RealtimeHandler", "Transfer of " + t.call_sid + " ended: DialCallStatus " +
                                   t.dial_status + (live ? " (call still finalizing)" : ""));
  self->request(self->state.svc.storage, self->state.svc.cfg->call.storage_write,
                set_transfer_status{t.call_sid, t.dial_status, live})
      .then(
          [self, sid = t.call_sid](bool known) {
            if (!known)
              log::warn("RealtimeHandler",
                        "Transfer outcome for unknown call " + sid + ": nothing stored");
            else if (self->state.svc.notifier) // the card's job.updated push
              self->send(self->state.svc.notifier, wake_atom::value);
          },
          [](caf::error&) {}); // storage logs its failures
}

/// The console's Transfer: the call's supervisor decides (call_transfer.cpp).
caf::typed_response_promise<std::string> transfer(self_ptr self, const operator_transfer& o) {
  auto rp = self->make_response_promise<std::string>();
  auto it = self->state.calls.find(o.call_sid);
  if (it == self->state.calls.end()) {
    rp.deliver(std::string{"no such live call"});
    return rp;
  }
  self->request(it->second, self->state.svc.cfg->call.registry_query, transfer_request{"operator"})
      .then([rp](std::string& why) mutable { rp.deliver(std::move(why)); },
            [rp](caf::error& e) mutable {
              rp.deliver(std::string{"the call did not answer: " + caf::to_string(e)});
            });
  return rp;
}

sessions_info sessions(const registry_state& st) {
  sessions_info out;
  for (const auto& [sid, s] : st.snapshots)
    if (st.calls.count(sid) != 0)
      out.calls.push_back(s);
  return out;
}

/// A call is over and written: shutdown waits for the last one. `live`: it
/// was counted among the active calls (a call recovered at start was not).
void call_gone(self_ptr self, bool live = true) {
  auto& st = self->state;
  if (st.svc.metrics && live)
    st.svc.metrics->active_calls.dec();
  if (st.calls.empty() && st.recovering == 0) {
    for (auto& p : st.drained)
      p.deliver(drained_atom::value);
    st.drained.clear();
  }
}

} // namespace

namespace detail {

void finalize_stored(registry_ptr self, recover_call r, bool live) {
  auto& st = self->state;
  ++st.recovering;
  auto done = [self, live] {
    --self->state.recovering;
    call_gone(self, live);
  };
  auto fin = spawn_finalizer(self, st.svc, transcript_actor{}); // its turns are stored
  self->request(fin, st.svc.cfg->call.finalize, std::move(r))
      .then([done](int64_t) { done(); }, [done](caf::error&) { done(); });
}

void track_call(registry_ptr self, const call_supervisor_actor& sup,
                const storage::call_record& call, std::string twiml,
                std::shared_ptr<const storage::tenant> tenant, uint64_t cache_stamp) {
  auto& st = self->state;
  st.calls[call.call_sid] = sup;
  st.sid_of[sup.address()] = call.call_sid;
  st.answered_calls[call.call_sid] = {std::move(twiml), std::move(tenant), call, cache_stamp};
  if (st.svc.metrics)
    st.svc.metrics->active_calls.inc();
}

/// A call nobody said anything about (it ended normally, or this server
/// never knew it) hangs up.
call_next next_for(const registry_state& st, const std::string& call_sid) {
  if (auto it = st.next_steps.find(call_sid); it != st.next_steps.end())
    return it->second.first;
  return call_next{call_sid, false, "", ""};
}

} // namespace detail

namespace {

/// Its supervisor died without finalizing the call (its children died with
/// it, closing both sockets): the finalizer writes it from the database,
/// with the booking and answer time of the supervisor's last snapshot.
void recover(self_ptr self, registry_state::answered a, const call_snapshot* last,
             const caf::error& reason) {
  auto& st = self->state;
  recover_call r{std::move(a.call), *a.tenant, {}};
  r.call.end_reason = end_reason::internal_error;
  r.call.end_detail = "call supervisor failed: " + describe(reason);
  r.call.ended_at_ms = now_ms();
  if (last) {
    r.call.answered_at_ms = last->answered_at_ms;
    r.booking = last->booking;
  }
  r.call.status = status_after(end_reason::internal_error, r.call.answered_at_ms != 0);
  log::error("RealtimeServer", "Call " + r.call.call_sid + ": " + r.call.end_detail,
             log::context{r.call.call_sid, r.tenant.name});
  if (st.svc.metrics)
    st.svc.metrics->call_ended(end_reason::internal_error);
  finalize_stored(self, std::move(r), true);
}

/// A call this node left open when it died (issue 14): finalized as one
/// whose supervisor died, server_lost, its job card from its booking draft.
void finalize_lost(self_ptr self, lost_call l) {
  auto& st = self->state;
  recover_call r{std::move(l.call), std::move(l.tenant), {}};
  r.call.end_reason = end_reason::server_lost;
  r.call.end_detail = "the server stopped mid-call";
  r.call.ended_at_ms = 0; // unknown: the finalizer takes the last stored activity
  r.call.status = status_after(end_reason::server_lost, r.call.answered_at_ms != 0);
  if (st.svc.metrics)
    st.svc.metrics->call_ended(end_reason::server_lost);
  finalize_stored(self, std::move(r), false);
}

} // namespace

namespace detail {

void adopt_lost_calls(registry_ptr self, std::vector<lost_call>& lost) {
  const bool hold = self->state.svc.cfg->resume.grace.count() > 0;
  for (auto& l : lost) {
    if (self->state.calls.count(l.call.call_sid) != 0 || self->state.held.count(l.call.call_sid))
      continue;
    if (hold) // Twilio's <Redirect> may bring the caller back (call_resume.cpp)
      hold_lost(self, std::move(l));
    else
      finalize_lost(self, std::move(l));
  }
}

} // namespace detail

namespace {

/// At start: the calls this node left open are finalized in the background;
/// webhooks are answered meanwhile. Its first message to storage after the
/// lease's first heartbeat (call_takeover.cpp: a survivor that claimed them
/// already has them; none can claim them after it), so that no call begun
/// since is among them (and a live one is skipped regardless).
void recover_lost_calls(self_ptr self) {
  auto& st = self->state;
  if (!st.svc.storage)
    return recovery_done(self);
  start_lease(self);
  const auto& node = st.svc.cfg->server.node_id;
  self->request(st.svc.storage, st.svc.cfg->call.storage_write, open_calls{node})
      .then(
          [self, node](std::vector<lost_call>& lost) {
            if (!lost.empty())
              log::warn("RealtimeServer", "Node " + node + " left " + std::to_string(lost.size()) +
                                              " calls open when it last stopped; finalizing them");
            adopt_lost_calls(self, lost);
            recovery_done(self);
          },
          [self](caf::error& e) {
            log::error("RealtimeServer", "Could not look for calls left open: " + describe(e) +
                                             "; they will be finalized at the next start");
            recovery_done(self);
          });
}

void on_supervisor_down(self_ptr self, const caf::down_msg& dm) {
  auto& st = self->state;
  auto it = st.sid_of.find(dm.source);
  if (it == st.sid_of.end())
    return;
  auto sid = it->second;
  if (st.svc.admission)
    st.svc.admission->release(sid);
  st.sid_of.erase(it);
  st.calls.erase(sid);
  auto answered = st.answered_calls.extract(sid);
  auto snapshot = st.snapshots.extract(sid);
  answer_waiting(self);
  if (dm.reason && dm.reason != caf::exit_reason::normal && !answered.empty())
    return recover(self, std::move(answered.mapped()), snapshot ? &snapshot.mapped() : nullptr,
                   dm.reason);
  call_gone(self);
}

call_registry_actor::behavior_type registry(self_ptr self, services svc) {
  self->state.svc = std::move(svc);
  self->state.svc.registry = caf::actor_cast<call_registry_actor>(self);
  self->state.health = health_watch{self->state.svc.cfg->health};
  // Storage and the notifier were spawned first: tell them where to report.
  health_sink_actor sink = self->state.svc.registry;
  if (self->state.svc.storage)
    self->send(self->state.svc.storage, health_sink_atom::value, sink);
  if (self->state.svc.notifier)
    self->send(self->state.svc.notifier, health_sink_atom::value, sink);
  self->set_down_handler([self](caf::down_msg& dm) { on_supervisor_down(self, dm); });
  recover_lost_calls(self);
  return {
      [self](inbound_call& in) { on_inbound(self, in); },
      [self](refused_call& r) { store_refused(self, std::move(r)); },
      [self](stream_arrived& s) { on_stream(self, s); },
      [self](call_snapshot& s) {
        if (self->state.calls.count(s.call_sid) != 0)
          self->state.snapshots[s.call_sid] = s;
      },
      [self](openai_observation& o) { self->state.health.on_openai(o.connected, now_ms()); },
      [self](call_next& n) {
        remember_next(self->state, n);
        answer_waiting(self);
      },
      [self](call_next_query& q) { return answer_next(self, q); },
      [self](call_lost& l) { on_call_lost(self, l); },
      [self](resume_expired_atom, const std::string& sid, int gen) {
        on_resume_expired(self, sid, gen);
      },
      [self](lease_tick_atom) { renew_lease(self); },
      [self](lease_tick_atom, int wait_id) { ask_owner_again(self, wait_id); },
      [self](storage_write_report& r) { self->state.health.on_storage(r, now_ms()); },
      [self](outbox_report& r) { self->state.health.on_outbox(r.backlog); },
      [self](recording_update& r) { return record(self, r); },
      [self](health_atom) {
        auto h = self->state.health.judge(now_ms());
        h.active_sessions = static_cast<int>(self->state.calls.size());
        return h;
      },
      [self](sessions_atom) { return sessions(self->state); },
      [self](count_atom) {
        const auto& st = self->state; // a held call is live until finalized (call_resume.cpp)
        return static_cast<int>(st.calls.size() + st.held.size()) + st.recovering;
      },
      [self](operator_hangup& h) {
        auto it = self->state.calls.find(h.call_sid);
        if (it == self->state.calls.end())
          return false;
        self->send(it->second, hangup_atom::value);
        return true;
      },
      [self](operator_transfer& o) { return transfer(self, o); },
      [self](transfer_ended& t) { transfer_outcome(self, t); },
      [self](shutdown_atom) -> caf::typed_response_promise<drained_atom> {
        auto& st = self->state;
        auto rp = self->make_response_promise<drained_atom>();
        st.stopping = true;
        for (auto& [sid, sup] : st.calls)
          self->send(sup, shutdown_atom::value);
        finalize_held(self);
        if (st.calls.empty() && st.recovering == 0)
          rp.deliver(drained_atom::value);
        else
          st.drained.push_back(rp);
        return rp;
      },
  };
}

} // namespace

call_registry_actor spawn_registry(caf::actor_system& sys, services svc) {
  return sys.spawn(registry, std::move(svc));
}

} // namespace sb::actors
