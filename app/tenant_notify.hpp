#pragma once
// Tenant changes made anywhere reach this node's tenant cache (issue 16.2).
//
// On PostgreSQL, migration v21's trigger on `tenants` and `tenant_variants`
// announces every change, by any client (another node, `switchboard
// tenants ...`, psql), with pg_notify on the channel below: the payload is
// the tenant's number (both numbers when it changes), '' when the table was
// truncated. Each node listens (storage/pg_listener.hpp) and:
//   listening (first, and after every reconnect)
//                         -> clears the cache and trusts entries for
//                            tenant_cache_pushed_ttl (60 s): what changed
//                            while nobody listened is unknown;
//   a notification        -> forgets that number ('': everything);
//   the connection lost   -> back to tenant_cache_ttl (2 s) until it listens
//                            again (reconnecting with a backoff).
// SQLite has no listener: the short TTL only (actors/tenant_cache.hpp).

#include "actors/tenant_cache.hpp"
#include "config/config.hpp"
#include "storage/pg_listener.hpp"

#include <memory>

namespace sb::app {

/// The channel migration v21's trigger notifies.
inline constexpr const char* tenant_channel = "switchboard_tenants";

/// Keeps `cache` in step with the tenants in cfg.storage.path; null when
/// nothing pushes changes (SQLite, or storage.tenant_notify is false).
/// `tuning`: the listener's timings (its url and channel are set here).
std::unique_ptr<storage::pg_listener>
listen_for_tenant_changes(const config& cfg, std::shared_ptr<actors::tenant_cache> cache,
                          storage::pg_listener_options tuning = {});

} // namespace sb::app
