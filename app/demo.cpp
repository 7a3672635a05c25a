#include "app/demo.hpp"

#include "app/demo_print.hpp"
#include "app/demo_scenarios.hpp"
#include "app/demo_world.hpp"
#include "app/server.hpp"
#include "common/log.hpp"
#include "common/scope_exit.hpp"
#include "common/time.hpp"
#include "storage/store.hpp"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <iostream>
#include <optional>
#include <thread>

namespace sb::app {

namespace {

namespace fs = std::filesystem;
using demo::outcome;
using demo::scenario;
using demo::stamped_out;
using demo::world;

/// Quieter logs for the demo's own output, unless SWITCHBOARD_LOG_LEVEL asks.
void quiet_logs() {
  if (log::current_level() < log::level::warn && std::getenv("SWITCHBOARD_LOG_LEVEL") == nullptr)
    log::set_level(log::level::warn);
}

/// Places every call at its time and waits for all of them (at most 150 s
/// after the last began); nothing when one did not finish.
std::optional<std::vector<sim::caller_result>>
place_calls(world& w, const config& cfg, uint16_t server_port,
            const std::vector<demo::placed_call>& calls, stamped_out& say) {
  auto done = demo::launch_calls(w, cfg, server_port, calls, say);
  std::vector<sim::caller_result> results;
  for (auto& f : done) {
    if (f.wait_for(std::chrono::seconds{150}) != std::future_status::ready)
      return std::nullopt;
    results.push_back(f.get());
  }
  return results;
}

/// What the server stored for the last call, what the stand-ins saw.
outcome gather(world& w, server& srv, const std::string& db_path, const scenario& sc,
               std::vector<sim::caller_result> results) {
  // Every call finalized (at most 5 s), then the pushes (at most 10 s).
  for (int i = 0; i < 100 && srv.active_calls() > 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
  outcome o;
  o.pushes = w.push.wait_for(sc.pushes, std::chrono::seconds{10});
  o.rest = w.rest->requests();
  o.openai_events = w.peer->client_events();
  const std::string sid = results.back().call_sid;
  o.results = std::move(results);
  auto db = storage::store::open(db_path);
  if (!db)
    return o;
  if (auto c = (*db)->get_call(sid); c && *c)
    o.call = **c;
  if (auto j = (*db)->job_for_call(sid); j && *j)
    o.job = **j;
  if (auto t = (*db)->turns_for(sid); t)
    o.turns = *t;
  return o;
}

/// Runs `sc` in `dir`; the exit code.
int run_in(const fs::path& dir, const scenario& sc, stamped_out& say) {
  auto calls = sc.calls(demo::tomorrow_date());
  world w;
  std::string auth_token = "demo-auth-token-" + std::to_string(now_ms());
  if (auto e = demo::start_world(w, dir, sc, calls, auth_token); !e.empty()) {
    std::cerr << "demo: " << e << "\n";
    return 1;
  }
  std::string db_path = (dir / "switchboard.db").string();
  if (auto r = demo::add_demo_tenant(db_path, w.push.port(), sc); !r) {
    std::cerr << "demo: " << r.err().message << "\n";
    return 1;
  }
  config cfg =
      demo::demo_config(w.peer->url(), (dir / "demo-ca.pem").string(), db_path, *w.rest, sc);
  cfg.twilio.auth_token = auth_token;
  auto srv = server::start(cfg, [&](const std::string&, const std::string& line) { say(line); });
  if (!srv) {
    std::cerr << "demo: server: " << srv.err().message << "\n";
    return 1;
  }
  std::cout << "Switchboard demo, scenario " << sc.name << ": " << sc.summary << "\n"
            << "  server      http://127.0.0.1:" << (*srv)->port() << " (the business "
            << demo::business_number << ")\n"
            << "  OpenAI      simulated Realtime peer, " << w.peer->url() << " (TLS, demo CA)\n"
            << "  Twilio      simulated callers (real speech, paced at 20 ms); REST stand-in "
            << w.rest->base_url() << "\n"
            << "  database    " << db_path << "\n\n";
  auto results = place_calls(w, cfg, (*srv)->port(), calls, say);
  if (!results) {
    std::cerr << "demo: a call did not finish in time\n";
    return 1;
  }
  for (std::size_t i = 0; i < results->size(); ++i)
    say("call " + std::to_string(i + 1) +
        " over: " + ((*results)[i].ok ? "ok" : "failed: " + (*results)[i].error));
  auto o = gather(w, **srv, db_path, sc, std::move(*results));
  (*srv)->shutdown();
  demo::print_outcome(o);
  auto verdict = sc.check(o);
  if (o.pushes.size() < sc.pushes && verdict.empty())
    verdict = std::to_string(sc.pushes) + " push notifications were expected, " +
              std::to_string(o.pushes.size()) + " arrived";
  std::cout << "\nScenario " << sc.name << ": "
            << (verdict.empty() ? "went as expected" : "NOT as expected: " + verdict) << "\n";
  return verdict.empty() ? 0 : 1;
}

} // namespace

void list_demo_scenarios(std::ostream& out) {
  for (const auto& s : demo::scenarios())
    out << "  " << s.name << std::string(s.name.size() < 18 ? 18 - s.name.size() : 1, ' ')
        << s.summary << "\n";
}

int run_demo(const demo_options& options) {
  const scenario* sc = demo::find_scenario(options.scenario);
  if (sc == nullptr) {
    std::cerr << "demo: no scenario named '" << options.scenario << "'; these are:\n";
    list_demo_scenarios(std::cerr);
    return 2;
  }
  if (options.calls != 0 && sc->default_calls == 0) {
    std::cerr << "demo: --calls is for a scenario that places a number of calls (cluster), not "
              << sc->name << "\n";
    return 2;
  }
  quiet_logs();
  char tmpl[] = "/tmp/switchboard-demo-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) {
    std::cerr << "demo: cannot make a temporary folder\n";
    return 1;
  }
  fs::path dir = tmpl;
  // Runs last, on every return below: after the server and the stand-ins are gone.
  const scope_exit remove_dir{[&] {
    if (!options.keep_files)
      fs::remove_all(dir);
  }};
  stamped_out say;
  const std::size_t calls = options.calls != 0 ? options.calls : sc->default_calls;
  int rc = sc->run ? sc->run(*sc, dir.string(), calls) : run_in(dir, *sc, say);
  if (options.keep_files)
    std::cout << "Files kept in " << dir.string() << "\n";
  return rc;
}

} // namespace sb::app
