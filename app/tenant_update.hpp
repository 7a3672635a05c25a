#pragma once
// `tenants update`: a tenant's calendar settings (issue 17.6) and whether its
// calls are recorded (issue 17.3), changed on the
// database file while the server may run (calls see them when the tenant
// cache next reloads the tenant).

#include <functional>
#include <string>

namespace CLI {
class App;
}

namespace sb::app {

/// Slot lengths the calendar accepts, in minutes (a day at most); 0 on a
/// tenant means the config's tools.slot_minutes.
inline constexpr int max_slot_minutes = 24 * 60;
/// Bookings one slot may take at most (a sanity bound, not a business rule).
inline constexpr int max_slot_capacity = 1000;

/// "" when `slot_minutes` (0: config default) and `slot_capacity` are
/// acceptable; else what is wrong, naming the option.
std::string check_slot_options(int slot_minutes, int slot_capacity);

/// Adds `update --tenant T [--slot-minutes N] [--slot-capacity N]
/// [--record|--no-record]` under `tenants`. T is the number (E.164) or the id
/// (`--number` is the same option). exit_code: 0 ok, 2 bad
/// arguments, 1 failure (no such tenant, storage).
void add_tenant_update(CLI::App& tenants, std::function<std::string()> db_path, int& exit_code);

} // namespace sb::app
