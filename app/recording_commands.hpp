#pragma once
// The recording commands (issue 17.3): `tenants update --number N
// --record|--no-record` (opt in or out) and `calls delete SID` (the right to
// be forgotten: the call, its transcript, its job card, its outbox entries
// and its recording file). Straight on the database file, like
// admin_commands.hpp.

#include <functional>
#include <string>

namespace CLI {
class App;
}

namespace sb::app {

/// Adds `tenants update` and `calls delete` to the `tenants` and `calls`
/// subcommands add_admin_commands() made (call it after that). Exit codes as
/// there: 0 done, 2 bad arguments, 1 failed (unknown tenant or call).
void add_recording_commands(CLI::App& app, std::function<std::string()> db_path, int& exit_code);

} // namespace sb::app
