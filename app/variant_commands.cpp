#include "app/variant_commands.hpp"

#include "app/admin_text.hpp"
#include "app/tenant_lookup.hpp"
#include "storage/store.hpp"

#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

namespace sb::app {

namespace {

struct options {
  std::string tenant;
  storage::variant v;
};

/// Opens the store and finds the tenant; prints the error and sets the exit
/// code on failure.
std::unique_ptr<storage::store> open_for(const std::string& path, const options& o,
                                         std::string& number, int& exit_code) {
  if (o.tenant.empty() || (o.v.name.empty())) {
    std::cerr << "error: variants: --tenant and --name are required\n";
    exit_code = 2;
    return nullptr;
  }
  auto db = storage::store::open(path);
  std::string error;
  std::optional<storage::tenant> t;
  if (db)
    t = tenant_named(**db, o.tenant, error);
  else
    error = db.err().message;
  if (!t) {
    std::cerr << "error: variants: " << error << '\n';
    exit_code = 1;
    return nullptr;
  }
  number = t->number;
  return std::move(*db);
}

void add(const std::string& path, const options& o, int& exit_code) {
  if (o.v.weight <= 0) {
    std::cerr << "error: variants add: --weight must be positive\n";
    exit_code = 2;
    return;
  }
  std::string number;
  auto db = open_for(path, o, number, exit_code);
  if (!db)
    return;
  auto s = db->add_variant(number, o.v);
  if (!s) {
    std::cerr << "error: " << s.err().message << '\n';
    exit_code = 1;
    return;
  }
  std::cout << "added variant " << o.v.name << " (weight " << o.v.weight << ") to " << number
            << '\n';
  exit_code = 0;
}

void retire(const std::string& path, const options& o, int& exit_code) {
  std::string number;
  auto db = open_for(path, o, number, exit_code);
  if (!db)
    return;
  auto r = db->retire_variant(number, o.v.name);
  if (!r || !*r) {
    std::cerr << "error: " << (r ? "no live variant " + o.v.name : r.err().message) << '\n';
    exit_code = 1;
    return;
  }
  std::cout << "retired variant " << o.v.name << " of " << number << '\n';
  exit_code = 0;
}

void list(const std::string& path, options o, int& exit_code) {
  o.v.name = "-"; // list needs no name
  std::string number;
  auto db = open_for(path, o, number, exit_code);
  if (!db)
    return;
  auto vs = db->variants_of(number);
  if (!vs) {
    std::cerr << "error: " << vs.err().message << '\n';
    exit_code = 1;
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& v : *vs)
    rows.push_back({v.name, std::to_string(v.weight), v.voice.empty() ? "-" : v.voice,
                    text::cell(v.greeting.empty() ? "-" : v.greeting),
                    text::cell(v.instructions.empty() ? "-" : v.instructions)});
  text::print_table(std::cout, {"NAME", "WEIGHT", "VOICE", "GREETING", "INSTRUCTIONS"}, rows);
  exit_code = 0;
}

} // namespace

void add_variant_commands(CLI::App& app, std::function<std::string()> db_path, int& exit_code) {
  auto o = std::make_shared<options>();
  auto* cmd = app.add_subcommand("variants", "A tenant's A/B variants (voice, greeting, text)");
  cmd->require_subcommand(1);
  auto* a = cmd->add_subcommand("add", "Add a variant; new calls get it by weight");
  auto* r = cmd->add_subcommand("retire", "Retire a variant; its calls stay in the report");
  auto* l = cmd->add_subcommand("list", "The tenant's live variants");
  for (auto* c : {a, r, l})
    c->add_option("--tenant", o->tenant, "The tenant's number (E.164) or id (required)");
  for (auto* c : {a, r})
    c->add_option("--name", o->v.name, "The variant's name (required)");
  a->add_option("--voice", o->v.voice, "Realtime voice (default: the tenant's)");
  a->add_option("--greeting", o->v.greeting, "The greeting (default: the tenant's)");
  a->add_option("--instructions", o->v.instructions, "Text added to the tenant's context");
  a->add_option("--weight", o->v.weight, "Relative share of calls")->capture_default_str();
  a->callback([o, db_path, &exit_code] { add(db_path(), *o, exit_code); });
  r->callback([o, db_path, &exit_code] { retire(db_path(), *o, exit_code); });
  l->callback([o, db_path, &exit_code] { list(db_path(), *o, exit_code); });
}

} // namespace sb::app
