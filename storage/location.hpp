#pragma once
// Where a store lives: [storage] path (or SWITCHBOARD_DATABASE_URL) names a
// SQLite file or a PostgreSQL database. Public: the registry, the webhook's
// admission and the tenant listener ask which one a config names.

#include <string_view>

namespace sb::storage {

/// A `postgresql://` (or `postgres://`) URL opens PostgreSQL, anything else
/// is a SQLite file path.
bool is_postgres_url(std::string_view location);

} // namespace sb::storage
