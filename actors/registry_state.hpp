#pragma once
// Internal to the call registry: its state, shared by the files that make
// it up, one concern each (the functions below are grouped by file):
// call_registry.cpp (its behaviour table), call_admit.cpp (a call's Voice
// webhook answered), call_streams.cpp (Media Streams routed; what follows
// each stream), call_tracking.cpp (live calls, their end, shutdown's drain),
// call_left_open.cpp (calls a node's last run left open), call_resume.cpp
// (calls held after their stream was lost, and picked up again),
// call_takeover.cpp (several nodes on one database), call_console.cpp and
// call_callbacks.cpp (the console's and Twilio's requests on a call).
// Not for other actors.

#include "actors/health_watch.hpp"
#include "actors/services.hpp"

#include <caf/stateful_actor.hpp>

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace sb::actors::detail {

/// A call whose Twilio stream was lost (the socket dropped, or this node
/// restarted under it): no supervisor runs it; Twilio's <Redirect> may bring
/// the caller back within [resume] grace_ms (call_resume.cpp).
struct held_call {
  storage::call_record call; ///< as it stood; end_reason and detail: if it never comes back
  std::shared_ptr<const storage::tenant> tenant; ///< as stored (no variant applied)
  bool live = true;      ///< counted among the active calls (not one recovered at start)
  bool resuming = false; ///< its stream came back: the stored call is being loaded
  int generation = 0;    ///< of its grace timer
};

struct registry_state {
  services svc;
  std::map<std::string, call_supervisor_actor> calls; ///< by CallSid
  std::map<caf::actor_addr, std::string> sid_of;      ///< supervisor -> CallSid
  std::map<std::string, call_snapshot> snapshots;     ///< by CallSid
  /// How a live call was answered, by CallSid: for a repeated webhook.
  struct answered {
    std::string twiml;
    std::shared_ptr<const storage::tenant> tenant; ///< refills the route's tenant cache on a repeat
    storage::call_record call; ///< as the webhook made it: recovered from if its supervisor dies
    uint64_t cache_stamp = tenant_cache::stale; ///< the cache's when `tenant` was read
  };
  std::map<std::string, answered> answered_calls;
  /// What follows each ended stream, by CallSid, with when it was said: kept
  /// for next_step_ttl_ms (Twilio asks within seconds), pruned as new ones
  /// come, oldest first (next_order: when, CallSid; a CallSid said again is
  /// pruned by its newest time).
  std::map<std::string, std::pair<call_next, int64_t>> next_steps;
  std::deque<std::pair<int64_t, std::string>> next_order;
  std::map<std::string, held_call> held; ///< by CallSid (call_resume.cpp)
  int held_generation = 0;
  /// The calls left open by this node's last run are known (held or
  /// finalized): until then the call-next route's answers wait, as they do
  /// for a live call whose supervisor has not said how its stream ended.
  bool recovered = false;
  std::vector<std::pair<std::string, caf::typed_response_promise<call_next>>> next_waiting;
  /// CallSids whose tenant is being looked up after the route already
  /// answered them from its cache (the entry expired on the way here), and
  /// the streams that arrived meanwhile: handed over once the call exists.
  std::map<std::string, std::vector<stream_arrived>> parked_streams;
  /// Calls the database is admitting (webhook_answer.hpp path 7), by
  /// CallSid: the webhook's responder and those of retries meanwhile.
  std::map<std::string, std::vector<twiml_responder>> admitting;
  /// Call-next answers for calls another node holds, waiting for its lease
  /// to say whether it lives (call_takeover.cpp), by wait id.
  struct owner_wait {
    std::string call_sid;
    std::string owner;
    int64_t asked_at_db_ms = 0;    ///< the database's clock when the route asked
    int64_t beat_after_ask_ms = 0; ///< the owner's first heartbeat after it (0: none yet)
    int64_t deadline_ms = 0;       ///< this process's clock: then the caller is hung up
    caf::typed_response_promise<call_next> rp;
  };
  std::map<int, owner_wait> owner_waits;
  bool stopping = false;          ///< shutdown began: no more takeovers
  bool heartbeat_waiting = false; ///< one heartbeat at a time in storage's mailbox
  bool lease_failing = false;     ///< the last heartbeat failed (logged once, until it works)
  int owner_wait_ids = 0;
  int recovering = 0;  ///< calls whose supervisor died, being finalized from the database
  health_watch health; ///< fed by openai sockets, storage and the notifier
  std::vector<caf::typed_response_promise<drained_atom>> drained; ///< waiting for every call to end
  static inline const char* name = "call_registry";
};

using registry_ptr = call_registry_actor::stateful_pointer<registry_state>;

// call_admit.cpp
/// A Voice webhook the route did not answer alone: answered again (a
/// retry), from the tenant cache, or after the tenant's look-up.
void on_inbound(registry_ptr self, inbound_call& in);
/// A caller over a limit, offered voicemail: the call is stored as ended
/// (over_limit) with its job card.
void store_refused(registry_ptr self, refused_call r);

// call_streams.cpp
/// A Media Stream goes to its call (or waits for it, or resumes a held
/// call); one for an unknown call is closed.
void on_stream(registry_ptr self, stream_arrived& s);
/// The look-up of `sid` is over: the streams that came during it go to its
/// call, or are closed if it has none.
void release_parked(registry_ptr self, const std::string& sid);
/// A supervisor said what follows its stream: kept for the call-next route.
void remember_next(registry_state& st, call_next& n);
/// What follows the stream of a call that is not held: voicemail, or hang up.
call_next next_for(const registry_state& st, const std::string& call_sid);

// call_tracking.cpp
/// A supervisor runs `call` now: the registry routes to it and watches it.
/// `cache_stamp`: the tenant cache's when `tenant` was read (stale: unknown).
void track_call(registry_ptr self, const call_supervisor_actor& sup,
                const storage::call_record& call, std::string twiml,
                std::shared_ptr<const storage::tenant> tenant, uint64_t cache_stamp);
/// Finalizes a call nobody runs any more from what the database holds, in
/// the background (actors/finalizer.hpp); shutdown waits for it.
void finalize_stored(registry_ptr self, recover_call r, bool live);
/// A supervisor ended: its call is gone, or recovered if it died abnormally.
void on_supervisor_down(registry_ptr self, const caf::down_msg& dm);
/// Shutdown: every call is told to end, every held call finalized; the
/// promise is kept once the last call is written.
caf::typed_response_promise<drained_atom> shut_down(registry_ptr self);

// call_left_open.cpp
/// At start: the calls this node left open are found (after the lease's
/// first heartbeat) and adopted; webhooks are answered meanwhile.
void recover_lost_calls(registry_ptr self);
/// Calls this node left open, or claimed from a dead node: held for the
/// caller's <Redirect> (or finalized at once with no [resume] grace); a
/// call running or held here already is skipped.
void adopt_lost_calls(registry_ptr self, std::vector<lost_call>& lost);

// call_console.cpp
/// The console's Transfer: the call's supervisor decides (call_transfer.cpp).
caf::typed_response_promise<std::string> transfer(registry_ptr self, const operator_transfer& o);
/// The live calls' last snapshots, for /realtime-sessions.
sessions_info sessions(const registry_state& st);
/// The console's Hang up: false if no such live call.
bool hang_up(registry_ptr self, const operator_hangup& h);

// call_callbacks.cpp
/// The recording status callback: stored on its call, which must be live
/// or stored (a callback for an unknown CallSid invents no call).
caf::typed_response_promise<bool> record(registry_ptr self, const recording_update& r);
/// <Dial>'s action after a transfer: its outcome goes on the call and its
/// job card by CallSid.
void transfer_outcome(registry_ptr self, const transfer_ended& t);

// call_takeover.cpp (several nodes on one database, issue 16.2)
/// At start: the first heartbeat (before the calls left open are looked
/// for), then one every [cluster] lease_ms / 3.
void start_lease(registry_ptr self);
/// A heartbeat; dead nodes' open calls are claimed and adopted.
void renew_lease(registry_ptr self);
/// The call-next route asks about a call this node neither runs nor holds:
/// false when there is nothing to ask (no storage); else `rp` is answered
/// once the database says who holds it (call_takeover.hpp).
bool answer_for_elsewhere(registry_ptr self, const std::string& call_sid,
                          caf::typed_response_promise<call_next>& rp);
void ask_owner_again(registry_ptr self, int wait_id);

// call_resume.cpp
/// A supervisor lost its stream: the call is held for the grace period.
void on_call_lost(registry_ptr self, call_lost& l);
/// At start: a call this node left open is held (server_lost if it does not come back).
void hold_lost(registry_ptr self, lost_call l);
/// The calls left open are known: the call-next answers that waited go out.
void recovery_done(registry_ptr self);
/// The call-next answers that can be given now go out (a supervisor said
/// how its stream ended, or went down).
void answer_waiting(registry_ptr self);
void on_resume_expired(registry_ptr self, const std::string& call_sid, int generation);
/// A Media Stream for a held call: a new supervisor carries it on from the
/// database. False: not a held call.
bool resume_stream(registry_ptr self, stream_arrived& s);
/// The call-next route asks: a held call gets a new <Connect><Stream>.
caf::typed_response_promise<call_next> answer_next(registry_ptr self, const call_next_query& q);
/// A held call's new <Connect><Stream>; any other call next_for's answer.
call_next held_next(const registry_state& st, const std::string& call_sid);
/// Shutdown: every held call is finalized now (it cannot come back here).
void finalize_held(registry_ptr self);

} // namespace sb::actors::detail
