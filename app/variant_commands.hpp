#pragma once
// `switchboard variants add|retire|list`: a tenant's A/B variants (issue
// 17.2), written to the database while the server runs. A change reaches
// calls when the server next looks the tenant up (the webhook's tenant
// cache keeps an entry tenant_cache::ttl_ms = 2 s, actors/tenant_cache.hpp;
// on PostgreSQL the change is pushed at once, app/tenant_notify.hpp),
// without a restart.

#include <functional>
#include <string>

namespace CLI {
class App;
}

namespace sb::app {

/// exit_code as for add_admin_commands: 0 ok, 2 bad arguments, 1 failure.
void add_variant_commands(CLI::App& app, std::function<std::string()> db_path, int& exit_code);

} // namespace sb::app
