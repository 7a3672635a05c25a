#pragma once
// `switchboard nodes list`: the nodes sharing this database (issue 16.3),
// each with its public URL, the age of its lease (the database's clock),
// whether that lease expired, and its live calls (open call rows).

#include "storage/records.hpp"

#include <functional>
#include <ostream>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace sb::app {

/// The table `nodes list` prints ("no nodes" for none).
void print_nodes(std::ostream& out, const std::vector<storage::node_info>& nodes);

/// exit_code as for add_admin_commands: 0 ok, 1 failure.
void add_node_commands(CLI::App& app, std::function<std::string()> db_path, int& exit_code);

} // namespace sb::app
