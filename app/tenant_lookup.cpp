#include "app/tenant_lookup.hpp"

#include <iostream>

namespace sb::app {

std::optional<storage::tenant> tenant_named(storage::store& db, const std::string& which,
                                            std::string& error) {
  auto all = db.list_tenants();
  if (!all) {
    error = all.err().message;
    return std::nullopt;
  }
  for (const auto& t : *all) {
    if (t.number == which || std::to_string(t.id) == which)
      return t;
  }
  error = "no tenant '" + which + "' (see `switchboard tenants list`)";
  return std::nullopt;
}

std::optional<opened_tenant> open_tenant(const std::string& path, const std::string& which,
                                         std::string_view command) {
  auto db = storage::store::open(path);
  if (!db) {
    std::cerr << "error: " << db.err().message << '\n';
    return std::nullopt;
  }
  std::string error;
  auto t = tenant_named(**db, which, error);
  if (!t) {
    std::cerr << "error: " << command << ": " << error << '\n';
    return std::nullopt;
  }
  return opened_tenant{std::move(*db), std::move(*t)};
}

} // namespace sb::app
