// The registry's side of several nodes on one database (actors/call_takeover.hpp).
#include "actors/call_takeover.hpp"

#include "actors/registry_state.hpp"
#include "common/log.hpp"
#include "common/time.hpp"
#include "protocol/twiml.hpp"
#include "storage/location.hpp"

#include <caf/all.hpp>

#include <algorithm>

namespace sb::actors::detail {

namespace {

std::chrono::milliseconds beat(const config& cfg) {
  return cfg.cluster.lease / 3;
}

/// How long the call-next route waits for a silent owner (call_takeover.hpp).
int64_t owner_wait_limit_ms(const config& cfg) {
  return std::min<int64_t>(cfg.cluster.lease.count() * 3 / 2, 12'000);
}

void take_over(registry_ptr self, const std::vector<storage::node_info>& nodes) {
  auto& st = self->state;
  const auto& me = st.svc.cfg->server.node_id;
  for (const auto& n : nodes) {
    if (n.node_id == me || !n.expired() || n.open_calls == 0)
      continue;
    self->request(st.svc.storage, st.svc.cfg->call.storage_write, claim_calls{n.node_id, me, ""})
        .then(
            [self, n](std::vector<lost_call>& lost) {
              if (lost.empty())
                return; // another survivor got them, or the node came back
              log::warn("RealtimeServer", "Node " + n.node_id + " has been silent for " +
                                              std::to_string(n.lease_age_ms()) + " ms; took over " +
                                              std::to_string(lost.size()) + " open calls");
              adopt_lost_calls(self, lost);
            },
            [n](caf::error& e) {
              log::error("RealtimeServer",
                         "Could not take over the calls of node " + n.node_id + ": " + describe(e));
            });
  }
}

/// One heartbeat at a time: a storage actor slower than a beat gets no pile
/// of them. A failure is logged once, until a heartbeat works again.
void heartbeat(registry_ptr self, bool starting) {
  auto& st = self->state;
  if (st.heartbeat_waiting)
    return;
  st.heartbeat_waiting = true;
  const auto& cfg = *st.svc.cfg;
  node_heartbeat h{cfg.server.node_id, std::string{cfg.node_base()}, cfg.cluster.lease.count(),
                   starting};
  self->request(st.svc.storage, cfg.call.storage_write, std::move(h))
      .then(
          [self](std::vector<storage::node_info>& nodes) {
            auto& st = self->state;
            st.heartbeat_waiting = false;
            if (st.lease_failing)
              log::info("RealtimeServer", "This node's lease is renewed again");
            st.lease_failing = false;
            if (!st.stopping)
              take_over(self, nodes);
          },
          [self](caf::error& e) {
            auto& st = self->state;
            st.heartbeat_waiting = false;
            if (!st.lease_failing)
              log::error("RealtimeServer", "Could not renew this node's lease: " + describe(e) +
                                               "; other nodes may take its calls over");
            st.lease_failing = true;
          });
}

void finish(registry_ptr self, int wait_id, call_next n) {
  auto& st = self->state;
  auto it = st.owner_waits.find(wait_id);
  if (it == st.owner_waits.end())
    return;
  it->second.rp.deliver(std::move(n));
  st.owner_waits.erase(it);
}

/// The owner lives: Twilio asks the owner's call-next route instead.
call_next redirect_to(const std::string& call_sid, const storage::node_info& owner) {
  log::info("RealtimeHandler", "The call-next for " + call_sid + " is sent on to node " +
                                   owner.node_id + ", which holds the call");
  return call_next{call_sid, false, "elsewhere",
                   proto::twiml_response(
                       {proto::verb_redirect(owner.public_url + "/telephony/realtime-call-next")})};
}

void ask_owner(registry_ptr self, int wait_id);

/// The owner's lease expired: the call is claimed here and picked up again.
void claim_one(registry_ptr self, int wait_id, const std::string& dead) {
  auto& st = self->state;
  auto it = st.owner_waits.find(wait_id);
  if (it == st.owner_waits.end())
    return;
  const auto sid = it->second.call_sid;
  claim_calls q{dead, st.svc.cfg->server.node_id, sid};
  self->request(st.svc.storage, st.svc.cfg->call.storage_write, std::move(q))
      .then(
          [self, wait_id, sid, dead](std::vector<lost_call>& lost) {
            if (lost.empty()) // a survivor claimed it first: ask who
              return ask_owner(self, wait_id);
            log::warn("RealtimeServer", "Node " + dead + " is silent; took over " + sid +
                                            " as its caller came back here");
            adopt_lost_calls(self, lost);
            finish(self, wait_id, held_next(self->state, sid));
          },
          [self, wait_id, sid](caf::error& e) {
            log::error("RealtimeServer", "Could not take over " + sid + ": " + describe(e));
            finish(self, wait_id, next_for(self->state, sid));
          });
}

void on_owner(registry_ptr self, int wait_id, const call_owner& o) {
  auto& st = self->state;
  auto it = st.owner_waits.find(wait_id);
  if (it == st.owner_waits.end())
    return;
  auto& w = it->second;
  if (!o.found || o.node.node_id == st.svc.cfg->server.node_id)
    return finish(self, wait_id, held_next(st, w.call_sid));
  if (w.asked_at_db_ms == 0) {
    w.asked_at_db_ms = o.node.db_now_ms;
    w.owner = o.node.node_id;
  }
  if (o.node.expired())
    return claim_one(self, wait_id, o.node.node_id);
  if (o.node.node_id != w.owner) // a node that took the call over since
    return finish(self, wait_id, redirect_to(w.call_sid, o.node));
  // Two heartbeats since the ask: the owner lives. One is not enough: a
  // node killed just after sending one still has it written by the
  // database, after a survivor asked (seen in CI: the caller was sent to
  // the dead node, and its call lost).
  if (o.node.heartbeat_at_ms > w.asked_at_db_ms) {
    if (w.beat_after_ask_ms == 0)
      w.beat_after_ask_ms = o.node.heartbeat_at_ms;
    else if (o.node.heartbeat_at_ms > w.beat_after_ask_ms)
      return finish(self, wait_id, redirect_to(w.call_sid, o.node));
  }
  if (now_ms() >= w.deadline_ms) {
    log::warn("RealtimeHandler", "Node " + o.node.node_id + " did not renew its lease within " +
                                     std::to_string(owner_wait_limit_ms(*st.svc.cfg)) +
                                     " ms; its lease is not expired, so " + w.call_sid +
                                     " is sent to it all the same");
    return finish(self, wait_id, redirect_to(w.call_sid, o.node));
  }
  const auto poll = std::max(std::chrono::milliseconds{100}, st.svc.cfg->cluster.lease / 10);
  self->delayed_send(self, poll, lease_tick_atom::value, wait_id);
}

void ask_owner(registry_ptr self, int wait_id) {
  auto& st = self->state;
  auto it = st.owner_waits.find(wait_id);
  if (it == st.owner_waits.end())
    return;
  self->request(st.svc.storage, st.svc.cfg->call.registry_query,
                call_owner_query{it->second.call_sid})
      .then([self, wait_id](call_owner& o) { on_owner(self, wait_id, o); },
            [self, wait_id](caf::error& e) {
              auto& waits = self->state.owner_waits;
              auto w = waits.find(wait_id);
              if (w == waits.end())
                return;
              log::error("RealtimeHandler", "Could not ask which node holds " + w->second.call_sid +
                                                ": " + describe(e));
              finish(self, wait_id, next_for(self->state, w->second.call_sid));
            });
}

} // namespace

/// Nodes share a database only on PostgreSQL: an SQLite file is one
/// machine's, so there is no lease to keep there. A heartbeat is a write on
/// the storage thread: on SQLite it would wait out the busy timeout whenever
/// something else holds the file's lock, and hold up every read queued
/// behind it, a webhook's tenant look-up among them (e2e_health_test).
void start_lease(registry_ptr self) {
  if (!storage::is_postgres_url(self->state.svc.cfg->storage.path))
    return;
  heartbeat(self, true);
  self->delayed_send(self, beat(*self->state.svc.cfg), lease_tick_atom::value);
}

void renew_lease(registry_ptr self) {
  heartbeat(self, false);
  self->delayed_send(self, beat(*self->state.svc.cfg), lease_tick_atom::value);
}

bool answer_for_elsewhere(registry_ptr self, const std::string& call_sid,
                          caf::typed_response_promise<call_next>& rp) {
  auto& st = self->state;
  if (!st.svc.storage)
    return false;
  const int id = ++st.owner_wait_ids;
  auto& w = st.owner_waits[id];
  w.call_sid = call_sid;
  w.deadline_ms = now_ms() + owner_wait_limit_ms(*st.svc.cfg);
  w.rp = rp;
  ask_owner(self, id);
  return true;
}

void ask_owner_again(registry_ptr self, int wait_id) {
  ask_owner(self, wait_id);
}

} // namespace sb::actors::detail
