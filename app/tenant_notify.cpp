#include "app/tenant_notify.hpp"

#include "common/log.hpp"
#include "storage/location.hpp"

namespace sb::app {

std::unique_ptr<storage::pg_listener>
listen_for_tenant_changes(const config& cfg, std::shared_ptr<actors::tenant_cache> cache,
                          storage::pg_listener_options tuning) {
  if (!cfg.storage.tenant_notify || !storage::is_postgres_url(cfg.storage.path))
    return nullptr;
  tuning.url = cfg.storage.path; // may hold a password: never logged
  tuning.channel = tenant_channel;
  const auto short_ttl = std::to_string(cfg.storage.tenant_cache_ttl.count());
  storage::pg_listener_events ev;
  ev.listening = [cache] {
    cache->set_pushed(true);
    log::info("TenantCache", "Listening for tenant changes on PostgreSQL (cache cleared)");
  };
  ev.notified = [cache](const std::string& number) {
    if (number.empty())
      cache->clear();
    else
      cache->forget(number);
    log::debug("TenantCache",
               "Tenant " + (number.empty() ? std::string("*") : number) + " changed: forgotten");
  };
  ev.lost = [cache, short_ttl](const std::string& why) {
    cache->set_pushed(false);
    log::warn("TenantCache", "Not listening for tenant changes (" + why +
                                 "); tenants are cached for " + short_ttl +
                                 " ms until it listens again");
  };
  return std::make_unique<storage::pg_listener>(std::move(tuning), std::move(ev));
}

} // namespace sb::app
