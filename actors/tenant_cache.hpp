#pragma once
// The webhook's tenant cache (actors/webhook_answer.hpp, path 1): tenants
// found recently, by number, so that most calls are answered without a
// storage round trip.
//
// How long an entry is trusted depends on whether changes are pushed:
// - not pushed (SQLite, or the PostgreSQL listener is down): `ttl` (2 s).
//   `switchboard tenants ...` edits tenants from another process, so an
//   edit reaches new calls within that.
// - pushed (app/tenant_notify.hpp: a LISTEN on PostgreSQL, fed by a trigger
//   on every change by any client): `pushed_ttl` (60 s); each change makes
//   the cache forget its number. When the listener (re)connects the whole
//   cache is cleared (what changed while nobody listened is unknown).
// The TTL is read when an entry is found, so going back to unpushed applies
// the short TTL to every entry at once.
//
// A look-up races a change: storage may read the tenant before the change,
// the notification may come before the answer is cached. So each put names
// the cache's stamp from before its read; a put older than the last forget
// or clear is dropped (the next call reads again).

#include "storage/records.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace sb::actors {

/// Tenants found recently, by number. Thread-safe. An unknown number is
/// never cached (a tenant just added answers at once).
class tenant_cache {
public:
  /// The defaults of [storage] tenant_cache_ttl_ms and tenant_cache_pushed_ttl_ms.
  static constexpr int64_t ttl_ms = 2000;
  static constexpr int64_t pushed_ttl_ms = 60'000;
  /// A stamp no put is ever fresh for (a tenant of unknown age).
  static constexpr uint64_t stale = 0;

  explicit tenant_cache(int64_t ttl = ttl_ms, int64_t pushed_ttl = pushed_ttl_ms);

  /// Shared, not copied: the webhook reads one field of it per call.
  std::shared_ptr<const storage::tenant> find(const std::string& number, int64_t now_ms) const;
  /// Which changes this cache has heard of: take it before reading a tenant
  /// from storage, give it to put().
  uint64_t stamp() const;
  /// Caches `t` unless a forget or clear came after `stamp` (its read may be
  /// older than the change). Shared with the registry's record of the live
  /// call: a repeated webhook refills the cache with a pointer copy.
  void put(std::shared_ptr<const storage::tenant> t, const std::string& number, int64_t now_ms,
           uint64_t stamp);
  /// The tenant of `number` changed (or is gone).
  void forget(const std::string& number);
  /// Every tenant may have changed.
  void clear();
  /// Changes are pushed from now on (`true`: the cache is cleared first,
  /// and entries are kept for pushed_ttl), or no longer (ttl again).
  void set_pushed(bool pushed);
  bool pushed() const;

private:
  const int64_t ttl_;
  const int64_t pushed_ttl_;
  mutable std::mutex mutex_;
  bool pushed_ = false;
  uint64_t stamp_ = 1; ///< one more per forget and clear
  std::map<std::string, std::pair<std::shared_ptr<const storage::tenant>, int64_t>> by_number_;
};

} // namespace sb::actors
