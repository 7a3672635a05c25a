#include "app/demo_crash.hpp"

#include "app/demo_kill.hpp"
#include "app/demo_scenarios.hpp"
#include "app/demo_world.hpp"
#include "common/time.hpp"
#include "storage/store.hpp"

#include <atomic>
#include <iostream>
#include <memory>

namespace sb::app::demo {

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

/// The gap between the kill and the next start: systemd's RestartSec in
/// packaging/switchboard.service.
constexpr auto restart_after = 200ms;

} // namespace

int run_crash_demo(const scenario& sc, const std::string& dir_text) {
  const fs::path dir = dir_text;
  stamped_out say;
  auto calls = sc.calls(tomorrow_date());
  world w;
  const std::string auth_token = "demo-auth-token-" + std::to_string(now_ms());
  const std::string db_path = (dir / "switchboard.db").string();
  if (auto e = start_world(w, dir, sc, calls, auth_token); !e.empty()) {
    std::cerr << "demo: " << e << "\n";
    return 1;
  }
  if (auto r = add_demo_tenant(db_path, w.push.port(), sc); !r) {
    std::cerr << "demo: " << r.err().message << "\n";
    return 1;
  }
  config cfg = demo_config(w.peer->url(), (dir / "demo-ca.pem").string(), db_path, *w.rest, sc);
  cfg.twilio.auth_token = auth_token;
  node_set nodes{dir, cfg, {"crash-demo"}, false};
  if (auto r = nodes.start(0); !r) {
    std::cerr << "demo: " << r.err().message << "\n";
    return 1;
  }
  std::cout << "Switchboard demo, scenario " << sc.name << ": " << sc.summary << "\n"
            << "  server      " << nodes.binary() << " --config " << nodes.config_path(0)
            << " serve, pid " << nodes.pid(0) << ", http://127.0.0.1:" << nodes.port(0) << "\n"
            << "  OpenAI      simulated Realtime peer, " << w.peer->url() << " (TLS, demo CA)\n"
            << "  Twilio      simulated callers (real speech, paced at 20 ms)\n"
            << "  database    " << db_path << "\n"
            << "  [resume]    grace_ms = " << cfg.resume.grace.count() << "\n\n";

  // -- the calls, each timing its silence from the kill --
  const std::size_t n = calls.size();
  std::vector<call_view> views(n);
  auto voice_again = std::make_shared<std::vector<std::atomic<int64_t>>>(n);
  for (auto& v : *voice_again)
    v = -1;
  auto killed_at = std::make_shared<std::atomic<int64_t>>(0);
  auto done =
      launch_calls(w, cfg, nodes.port(0), calls, say, [&](std::size_t i, sim::caller_options& o) {
        views[i].who = crash_callers()[i];
        o.on_event = [i, voice_again, killed_at, say_it = o.on_event](const std::string& line) {
          // sim/caller_media.cpp: the first assistant audio on the new stream
          if (line.rfind("assistant audio again", 0) == 0 && *killed_at != 0)
            (*voice_again)[i] = mono_us() / 1000 - *killed_at;
          say_it(line);
        };
      });
  auto db = storage::store::open(db_path);
  if (!db) {
    std::cerr << "demo: " << db.err().message << "\n";
    return 1;
  }
  auto every_caller_named = [&] {
    auto rows = (*db)->list_calls(100);
    if (!rows)
      return false;
    for (std::size_t i = 0; i < n; ++i)
      if (!named(**db, *rows, calls[i].script.caller_number))
        return false;
    return true;
  };
  if (!eventually(every_caller_named, 60s)) {
    std::cerr << "demo: the callers did not give their names within 60 s\n";
    return 1;
  }
  if (auto rows = (*db)->list_calls(100); rows) // where each call's turns after the kill begin
    for (std::size_t i = 0; i < n; ++i)
      for (const auto& c : *rows)
        if (auto t = (*db)->turns_for(c.call_sid); t && c.from == calls[i].script.caller_number)
          views[i].turns_at_kill = t->size();
  // -- the crash, and the start again after systemd's RestartSec --
  *killed_at = mono_us() / 1000;
  const pid_t killed = nodes.pid(0);
  nodes.kill(0);
  say("*** SIGKILL to the server (pid " + std::to_string(killed) +
      ") with every caller mid-call ***");
  std::this_thread::sleep_for(restart_after);
  if (auto r = nodes.start(0); !r) {
    std::cerr << "demo: the restart failed: " << r.err().message << "\n";
    return 1;
  }
  say("*** the server started again (pid " + std::to_string(nodes.pid(0)) + ") ***");

  for (std::size_t i = 0; i < n; ++i) {
    if (done[i].wait_for(150s) != std::future_status::ready) {
      std::cerr << "demo: a call did not finish in time\n";
      return 1;
    }
    views[i].result = done[i].get();
    views[i].kill_to_voice_ms = (*voice_again)[i];
  }
  // The caller who did not come back is finalized once the grace is over.
  const bool finalized =
      eventually([&] { return all_finalized(**db, 100); }, cfg.resume.grace + 30'000ms);
  w.push.wait_for(n, 20s);
  std::this_thread::sleep_for(1s); // five notifier polls: a second push would show
  auto pushes = w.push.wait_for(n, 0ms);
  read_back(db_path, pushes, views);
  nodes.stop_all();
  print_recovery(nodes.log(0));

  std::vector<std::string> failures;
  if (!finalized)
    failures.push_back("not every call was finalized");
  for (std::size_t i = 0; i < n; ++i) {
    print_view(i, views[i]);
    if (auto e = judge(views[i]); !e.empty())
      failures.push_back("call " + std::to_string(i + 1) + " (" + views[i].who.customer +
                         "): " + e);
  }
  std::cout << "\nPush notifications delivered to the business: " << pushes.size() << "\n";
  for (const auto& p : pushes)
    std::cout << "  " << p << "\n";
  return print_verdict(sc, failures);
}

} // namespace sb::app::demo
