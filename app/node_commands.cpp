#include "app/node_commands.hpp"

#include "app/admin_text.hpp"
#include "storage/store.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <iostream>
#include <memory>

namespace sb::app {

using text::duration;
using text::print_table;

namespace {

/// "1.2s": a lease is a few seconds, so tenths matter.
std::string age_text(int64_t ms) {
  ms = std::max<int64_t>(0, ms);
  if (ms >= 60'000)
    return duration(ms);
  return std::to_string(ms / 1000) + "." + std::to_string(ms % 1000 / 100) + "s";
}

} // namespace

void print_nodes(std::ostream& out, const std::vector<storage::node_info>& nodes) {
  if (nodes.empty()) {
    out << "no nodes\n";
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& n : nodes)
    rows.push_back({n.node_id, n.public_url, age_text(n.lease_age_ms()),
                    n.expired() ? "expired" : "live", std::to_string(n.open_calls)});
  print_table(out, {"NODE", "URL", "LEASE AGE", "LEASE", "LIVE CALLS"}, rows);
}

void add_node_commands(CLI::App& app, std::function<std::string()> db_path, int& exit_code) {
  auto* nodes = app.add_subcommand("nodes", "The nodes sharing this database");
  nodes->require_subcommand(1);
  nodes->add_subcommand("list", "Each node: its URL, lease age and live calls")
      ->callback([db_path, &exit_code] {
        auto db = storage::store::open(db_path());
        if (!db) {
          std::cerr << "error: " << db.err().message << '\n';
          exit_code = 1;
          return;
        }
        auto list = (*db)->list_nodes();
        if (!list) {
          std::cerr << "error: " << list.err().message << '\n';
          exit_code = 1;
          return;
        }
        print_nodes(std::cout, *list);
        exit_code = 0;
      });
}

} // namespace sb::app
