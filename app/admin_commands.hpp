#pragma once
// The operator's data commands: tenants, calls and jobs, straight on the
// database file (no server needed; SQLite's WAL lets them run next to a
// live server). Output is aligned text for people, not for scripts.

#include <functional>
#include <string>

namespace CLI {
class App;
}

namespace sb::app {

/// Adds the subcommands `tenants add|list|remove|update`, `calls list`,
/// `jobs list`, `jobs show ID` to `app`. db_path() is called after parsing
/// (it resolves --config/SWITCHBOARD_DB). Each command sets exit_code:
/// 0 on success, 2 for bad arguments (one line on stderr), 1 when the
/// operation fails (storage error, no such tenant or job).
void add_admin_commands(CLI::App& app, std::function<std::string()> db_path, int& exit_code);

} // namespace sb::app
