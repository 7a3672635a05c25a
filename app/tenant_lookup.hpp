#pragma once
// The tenant an admin command line names (--tenant/--number: its number in
// E.164 or its id), found in the database file: shared by `report`,
// `tenants update` and `variants`.

#include "storage/store.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace sb::app {

/// The tenant a command line names: its number (E.164) or its id. nullopt
/// with `error` set when there is none (or the store failed).
std::optional<storage::tenant> tenant_named(storage::store& db, const std::string& which,
                                            std::string& error);

/// The open store and the tenant found in it.
struct opened_tenant {
  std::unique_ptr<storage::store> db;
  storage::tenant tenant;
};

/// Opens the store at `path` and finds the tenant `which` names. On failure
/// prints "error: <the store's message>" (cannot open) or "error: <command>:
/// <why>" (no such tenant) to stderr and returns nullopt (exit code 1).
std::optional<opened_tenant> open_tenant(const std::string& path, const std::string& which,
                                         std::string_view command);

} // namespace sb::app
