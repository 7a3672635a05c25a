#pragma once
// How the Voice webhook is answered: every path, in one place.
//
// The route (app/routes.cpp) checks the request first:
//   wrong method                    -> 405
//   bad or missing signature        -> 403 (nothing is spawned)
//   body not a form, oversized      -> 400 / 413
//   no CallSid or no To             -> 400
// Then the answer is TwiML (200, text/xml), from one of:
//   1. tenant in the cache below    -> the route answers <Connect><Stream> on
//      the io thread at once, and hands the call to the registry
//      (app/call_handoff.hpp), which spawns its supervisor.
//   2. tenant not cached            -> the registry asks storage, then answers
//      <Connect><Stream> (stream_twiml) and spawns the supervisor; the tenant
//      is cached for the next call.
//   3. Twilio retried the webhook   -> the registry answers the same TwiML as
//      the first time (the call is live already; nothing new is spawned).
//   4. number of no tenant          -> <Say> not_set_up_twiml, <Hangup/>.
//   5. storage failed or timed out  -> <Say> unavailable_twiml, <Hangup/>.
//   6. over a call limit            -> voicemail_twiml (<Say>, <Record>) when
//      over_limit_voicemail(), else <Say> busy_twiml, <Hangup/>; nothing is
//      spawned (actors/admission.hpp; checked before paths 1 and 2). With
//      voicemail, the registry stores the refused call (refused_call, end
//      reason over_limit), so the recording callback finds its job card.
//   7. a tenant with a concurrency limit, on PostgreSQL (several nodes may
//      share the database: cluster_limited) -> the limit holds across the
//      cluster: the route does not answer on the io thread; the registry,
//      after this node's own checks, has the database admit the call
//      (storage cluster_admit, store::admit_call: the tenant's open calls
//      on live nodes counted and the call's row written in one
//      transaction, under the tenant's advisory lock), then answers as 2
//      or, over the limit, as 6. One database round trip more for these
//      calls only; unlimited tenants and SQLite (one node: this node's
//      count is exact) keep path 1. Retries that come while it is being
//      admitted get the same answer.
//      The database does not answer within [call] tenant_lookup_ms (its
//      tenant lock waited half of that), fails, or is refusing writes:
//      fail-open. The call rings through on this node's own count (the
//      in-memory limits above still hold, per node), and a warning is
//      logged: for a business's phone line a caller turned away is worse
//      than a few calls over the limit while its database is in trouble.
// Whatever happens later (OpenAI unreachable, a stream that never comes) is
// the call supervisor's (actors/call_supervisor.hpp), not the webhook's.
//
// The TwiML is a pure function of the call, its tenant and the config, so
// path 1 answers without any actor; only a tenant not in the cache
// (actors/tenant_cache.hpp: seen in the last two seconds, or the last
// minute while PostgreSQL pushes changes) costs the storage round trip (io
// thread -> registry -> storage -> registry -> io thread: each hop wakes a
// thread; on this VM that was the webhook's p99, bench/RESULTS.md).

#include "actors/admission.hpp"
#include "actors/tenant_cache.hpp"
#include "config/config.hpp"
#include "storage/records.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace sb::metrics {
class switchboard_metrics;
}

namespace sb::actors {

/// Path 1-3: <Connect><Stream> to our Media Stream URL, naming the call and tenant.
std::string stream_twiml(const config& cfg, const storage::call_record& c,
                         const storage::tenant& t);

/// Path 4: the number has no tenant.
std::string not_set_up_twiml();

/// Path 5: the tenant could not be looked up.
std::string unavailable_twiml();

/// Path 6: the caller is over a limit (config limits.busy_message).
std::string busy_twiml(const config& cfg);

/// The prompt, a beep and <Record> (its recording status goes to the
/// recording route; its action, the call-next route, says goodbye).
std::string voicemail_twiml(const config& cfg);

/// Whether a caller over a limit is offered voicemail ([limits]
/// over_limit_voicemail and [voicemail] enabled).
bool over_limit_voicemail(const config& cfg);

/// Path 6's answer: voicemail_twiml or busy_twiml.
std::string over_limit_twiml(const config& cfg);

/// The limits for a call to `t`: its own, else the config's.
call_limits limits_for(const config& cfg, const storage::tenant& t);

/// Path 7: the call's tenant limit is admitted by the database (PostgreSQL,
/// a tenant with a concurrency limit).
bool cluster_limited(const config& cfg, const storage::tenant& t);

/// Logs and counts a call turned away (path 6).
void note_refused(const storage::call_record& c, const storage::tenant& t, admission_verdict v,
                  metrics::switchboard_metrics* metrics);

/// Admits the call, or logs and counts why not (path 6). rings_through():
/// it may ring through. Null `admission`: no limits.
admission_verdict admit_call(call_admission* admission, const config& cfg,
                             const storage::call_record& c, const storage::tenant& t,
                             metrics::switchboard_metrics* metrics);

/// Where the registry's TwiML goes: the route writes it as the HTTP answer.
using twiml_responder = std::function<void(std::string twiml)>;

} // namespace sb::actors
