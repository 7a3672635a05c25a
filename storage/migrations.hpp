#pragma once
// The schema as an ordered list of migration scripts. Script i (0-based)
// takes a database from user_version i to i + 1; each runs in its own
// transaction together with the user_version bump, so a failed migration
// leaves the database at the previous version.

#include "common/result.hpp"

#include <string_view>
#include <vector>

namespace sb::storage {

namespace detail {
class database;
}

/// The scripts, oldest first; latest_schema_version() == migrations().size().
const std::vector<std::string_view>& migrations();

/// Applies the missing migrations. Returns the resulting version, or
/// {"schema", ...} for a database newer than this build.
result<int> migrate(detail::database& db);

} // namespace sb::storage
