#pragma once
// The recording commands (issue 17.3): `calls delete SID` (the right to
// be forgotten: the call, its transcript, its job card, its outbox entries
// and its recording file). Straight on the database file, like
// admin_commands.hpp.

#include <functional>
#include <string>

namespace CLI {
class App;
}

namespace sb::app {

/// Adds `calls delete` to the `calls` subcommand add_admin_commands() made
/// (call it after that). `tenants update --record|--no-record` is in
/// app/tenant_update.hpp. Exit codes as
/// there: 0 done, 2 bad arguments, 1 failed (unknown tenant or call).
void add_recording_commands(CLI::App& app, std::function<std::string()> db_path, int& exit_code);

} // namespace sb::app
