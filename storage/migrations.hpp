#pragma once
// The schema as an ordered list of migration scripts. Script i (0-based)
// takes a database from user_version i to i + 1; each runs in its own
// transaction together with the user_version bump, so a failed migration
// leaves the database at the previous version.

#include "common/result.hpp"

#include <map>
#include <string_view>
#include <vector>

namespace sb::storage {

namespace detail {
class database;
}

/// The scripts, oldest first; latest_schema_version() == migrations().size().
/// SQLite's text; PostgreSQL's is postgres_migrations().
const std::vector<std::string_view>& migrations();

/// The PostgreSQL text of migration vN, keyed by N (migrations_pg.cpp).
const std::map<int, std::string_view>& postgres_migrations();

/// Applies the missing migrations, in the database's dialect. Returns the
/// resulting version, or {"schema", ...} for a database newer than this
/// build or a migration with no text for the dialect.
result<int> migrate(detail::database& db);

} // namespace sb::storage
