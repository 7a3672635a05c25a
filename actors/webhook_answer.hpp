#pragma once
// How the Voice webhook is answered. The TwiML is a pure function of the
// call, its tenant and the config, so the HTTP route can answer on the io
// thread as soon as the tenant is known (from this cache), and hand the call
// to the registry to spawn afterwards. Only a tenant not seen in the last
// two seconds costs the storage round trip (io thread -> registry ->
// storage -> registry -> io thread: each hop wakes a thread; on this VM that
// was the webhook's p99, bench/RESULTS.md).

#include "config/config.hpp"
#include "storage/records.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace sb::actors {

/// Tenants found recently, by number. Thread-safe. Tenants are edited by
/// `switchboard tenants` in another process, so an edit reaches new calls
/// within ttl_ms; an unknown number is never cached (a tenant just added
/// answers at once).
class tenant_cache {
public:
  static constexpr int64_t ttl_ms = 2000;

  /// Shared, not copied: the webhook reads one field of it per call.
  std::shared_ptr<const storage::tenant> find(const std::string& number, int64_t now_ms) const;
  /// Shared with the registry's record of the live call: a repeated webhook
  /// refills the cache with a pointer copy.
  void put(std::shared_ptr<const storage::tenant> t, const std::string& number, int64_t now_ms);
  void forget(const std::string& number);

private:
  mutable std::mutex mutex_;
  std::map<std::string, std::pair<std::shared_ptr<const storage::tenant>, int64_t>> by_number_;
};

/// <Connect><Stream> to our Media Stream URL, naming the call and tenant.
std::string stream_twiml(const config& cfg, const storage::call_record& c,
                         const storage::tenant& t);

} // namespace sb::actors
