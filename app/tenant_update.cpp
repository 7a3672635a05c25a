#include "app/tenant_update.hpp"

#include "app/report_command.hpp"
#include "storage/store.hpp"

#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>
#include <optional>

namespace sb::app {

namespace {

struct options {
  std::string tenant;
  std::optional<int> slot_minutes;
  std::optional<int> slot_capacity;
  std::optional<bool> record; ///< --record / --no-record (issue 17.3)
};

int run(const std::string& path, const options& o) {
  if (o.tenant.empty() || (!o.slot_minutes && !o.slot_capacity && !o.record)) {
    std::cerr << "error: tenants update: --tenant and at least one of --slot-minutes, "
                 "--slot-capacity, --record, --no-record are required\n";
    return 2;
  }
  if (auto why = check_slot_options(o.slot_minutes.value_or(0), o.slot_capacity.value_or(1));
      !why.empty()) {
    std::cerr << "error: tenants update: " << why << '\n';
    return 2;
  }
  auto db = storage::store::open(path);
  if (!db) {
    std::cerr << "error: " << db.err().message << '\n';
    return 1;
  }
  std::string error;
  auto t = tenant_named(**db, o.tenant, error);
  if (!t) {
    std::cerr << "error: tenants update: " << error << '\n';
    return 1;
  }
  auto gone = [&](const result<bool>& changed) {
    if (changed && *changed)
      return false;
    std::cerr << "error: tenants update: "
              << (changed ? "tenant " + t->number + " is gone" : changed.err().message) << '\n';
    return true;
  };
  if ((o.slot_minutes || o.slot_capacity) &&
      gone((*db)->set_tenant_slots(t->number, o.slot_minutes, o.slot_capacity)))
    return 1;
  if (o.record && gone((*db)->set_tenant_record(t->number, *o.record)))
    return 1;
  std::cout << "updated tenant " << t->number << ": slot "
            << o.slot_minutes.value_or(t->slot_minutes) << " min"
            << (o.slot_minutes.value_or(t->slot_minutes) == 0 ? " (config default)" : "")
            << ", capacity " << o.slot_capacity.value_or(t->slot_capacity) << ", calls "
            << (o.record.value_or(t->record) ? "recorded" : "not recorded") << '\n';
  return 0;
}

} // namespace

std::string check_slot_options(int slot_minutes, int slot_capacity) {
  if (slot_minutes < 0 || slot_minutes > max_slot_minutes)
    return "--slot-minutes must be 0 (config default) to " + std::to_string(max_slot_minutes) +
           " (got " + std::to_string(slot_minutes) + ")";
  if (slot_capacity < 1 || slot_capacity > max_slot_capacity)
    return "--slot-capacity must be 1 to " + std::to_string(max_slot_capacity) + " (got " +
           std::to_string(slot_capacity) + ")";
  return {};
}

void add_tenant_update(CLI::App& tenants, std::function<std::string()> db_path, int& exit_code) {
  auto o = std::make_shared<options>();
  auto* cmd = tenants.add_subcommand(
      "update",
      "Change a tenant: its calendar's slot length and capacity, whether calls are recorded");
  cmd->add_option("--tenant,--number", o->tenant, "The tenant's number (E.164) or id (required)");
  cmd->add_option("--slot-minutes", o->slot_minutes,
                  "One booking's length in minutes (0: config tools.slot_minutes)");
  cmd->add_option("--slot-capacity", o->slot_capacity,
                  "How many bookings one slot takes (1: one at a time)");
  cmd->add_flag_callback(
      "--record", [o] { o->record = true; }, "Record its calls from now on (consent said first)");
  cmd->add_flag_callback(
      "--no-record", [o] { o->record = false; }, "Stop recording its calls");
  cmd->callback([o, db_path, &exit_code] { exit_code = run(db_path(), *o); });
}

} // namespace sb::app
