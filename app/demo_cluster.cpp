#include "app/demo_cluster.hpp"

#include "app/demo_cluster_plan.hpp"
#include "app/demo_kill.hpp"
#include "app/demo_limit.hpp"
#include "app/demo_scenarios.hpp"
#include "app/demo_world.hpp"
#include "bench/lb_process.hpp"
#include "bench/pg_server.hpp"
#include "common/time.hpp"
#include "storage/store.hpp"

#include <algorithm>
#include <atomic>
#include <iostream>
#include <map>
#include <memory>
#include <optional>

namespace sb::app::demo {

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

/// Each call at the kill: its node, whether it is live, its turns so far;
/// the victim is the node of the first call. Returns the victim's live calls.
std::size_t mark_kill(storage::store& db, const cluster_plan& plan, std::vector<call_view>& views,
                      std::string& victim) {
  auto rows = db.list_calls(static_cast<int>(views.size()) * 2 + 10);
  if (!rows)
    return 0;
  std::map<std::string, const storage::call_record*> by_number;
  for (const auto& c : *rows)
    by_number[c.from] = &c;
  std::vector<bool> live(views.size());
  for (std::size_t i = 0; i < views.size(); ++i) {
    auto it = by_number.find(plan.calls[i].script.caller_number);
    if (it == by_number.end())
      continue;
    views[i].node = it->second->node_id;
    live[i] = it->second->end_reason == end_reason::none;
    if (auto t = db.turns_for(it->second->call_sid); t)
      views[i].turns_at_kill = t->size();
  }
  victim = views[0].node; // the node that holds the first caller's call
  std::size_t on_victim = 0;
  for (std::size_t i = 0; i < views.size(); ++i) {
    views[i].on_killed_node = live[i] && views[i].node == victim;
    on_victim += views[i].on_killed_node ? 1 : 0;
  }
  return on_victim;
}

/// The limited business's calls: how many were admitted at once.
std::string check_limit(const cluster_plan& plan, const std::vector<call_view>& views,
                        int64_t t0_ms) {
  std::vector<admitted_span> spans;
  std::size_t rang = 0, refused = 0;
  for (const auto& v : views) {
    if (!v.limited)
      continue;
    ++rang;
    refused += v.refused ? 1 : 0;
    if (!v.refused && v.call && v.call->answered_at_ms > 0)
      spans.push_back({v.call->answered_at_ms,
                       v.call->ended_at_ms > 0 ? v.call->ended_at_ms : now_ms(), v.node});
  }
  auto peak = busiest_instant(spans);
  std::cout << "\nSteady Drains (limit " << plan.limit << " calls at once): " << rang
            << " callers rang, " << rang - refused << " admitted, " << refused
            << " refused; at most " << peak.count << " admitted at once\n";
  return judge_limit("Steady Drains", plan.limit, rang, refused, peak, t0_ms);
}

void print_summary(const std::vector<call_view>& views, const std::string& victim) {
  std::map<std::string, int> per_node;
  int refused = 0, resumed = 0, lost = 0, pushes = 0;
  for (const auto& v : views) {
    refused += v.refused ? 1 : 0;
    ++per_node[v.refused ? std::string{"refused at the webhook"} : v.node];
    resumed += v.call && v.call->resumes > 0 ? 1 : 0;
    lost += v.call && v.call->end_reason == end_reason::server_lost ? 1 : 0;
    pushes += static_cast<int>(v.pushes);
  }
  std::cout << "\n" << views.size() << " calls, by the node that held them at the kill:";
  for (const auto& [node, count] : per_node)
    std::cout << " " << node << (node == victim ? " (killed)" : "") << " " << count << ";";
  std::cout << "\n  picked up again on a survivor: " << resumed
            << "; finalized server_lost: " << lost << "; refused: " << refused
            << "; pushes matched to calls: " << pushes << "\n";
}

} // namespace

int run_cluster_demo(const scenario& sc, const std::string& dir_text, std::size_t n) {
  const fs::path dir = dir_text;
  const auto began = std::chrono::steady_clock::now();
  stamped_out say;
  const auto plan = plan_calls(n, tomorrow_date());
  std::optional<bench::pg_database> pg; // outlives the nodes below
  try {
    pg.emplace();
  } catch (const std::exception& e) {
    std::cerr << "demo: no PostgreSQL for the cluster: " << e.what()
              << " (bash scripts/setup.sh installs it: apt-get install postgresql)\n";
    return 1;
  }
  if (auto h = bench::find_haproxy(); !h) {
    std::cerr << "demo: " << h.err().message << "\n";
    return 1;
  }
  world w;
  const std::string auth_token = "demo-auth-token-" + std::to_string(now_ms());
  if (auto e = start_world(w, dir, sc, plan.calls, auth_token); !e.empty()) {
    std::cerr << "demo: " << e << "\n";
    return 1;
  }
  scenario business = sc;
  if (plan.many) // every caller asks for tomorrow at ten, and thinks before saying so
    business.tenant = [](storage::tenant& t) {
      t.slot_capacity = 1000;
      t.silence_ms = 60'000;
    };
  if (auto r = add_demo_tenant(pg->url(), w.push.port(), business); !r) {
    std::cerr << "demo: " << r.err().message << "\n";
    return 1;
  }
  if (auto r = plan.limit > 0 ? add_limited_tenant(pg->url(), plan.limit) : ok_status(); !r) {
    std::cerr << "demo: " << r.err().message << "\n";
    return 1;
  }
  config cfg = demo_config(w.peer->url(), (dir / "demo-ca.pem").string(), pg->url(), *w.rest, sc);
  cfg.twilio.auth_token = auth_token;
  const uint16_t front = bench::free_port();
  cfg.server.public_url = "http://127.0.0.1:" + std::to_string(front); // Twilio reaches HAProxy
  // Many calls load the machine: a node whose heartbeat stalls for a lease
  // would have its live calls taken over (actors/call_takeover.hpp, "Not done").
  cfg.cluster.lease = plan.many ? 3000ms : 1000ms;
  cfg.limits.over_limit_voicemail = false; // a refused caller hears busy_message
  node_set nodes{dir, cfg, {"node-1", "node-2", "node-3"}, true};
  std::vector<bench::lb_backend> backends;
  for (std::size_t k = 0; k < nodes.size(); ++k) {
    if (auto r = nodes.start(k); !r) {
      std::cerr << "demo: " << r.err().message << "\n";
      return 1;
    }
    backends.push_back({nodes.id(k), nodes.port(k)});
  }
  auto lb = bench::lb_process::start(dir.string(), front, backends);
  if (!lb) {
    std::cerr << "demo: " << lb.err().message << "\n";
    return 1;
  }
  std::this_thread::sleep_for(700ms); // every node passes its first health check
  std::cout << "Switchboard demo, scenario " << sc.name << ": " << sc.summary << "\n";
  for (std::size_t k = 0; k < nodes.size(); ++k)
    std::cout << "  server      " << nodes.binary() << " --config " << nodes.config_path(k)
              << " serve, pid " << nodes.pid(k) << ", http://127.0.0.1:" << nodes.port(k) << " ("
              << nodes.id(k) << ")\n";
  std::cout << "  balancer    HAProxy, http://127.0.0.1:" << front
            << " (webhooks and the resume <Redirect>; config " << (dir / "haproxy.cfg").string()
            << ")\n"
            << "  OpenAI      simulated Realtime peer, " << w.peer->url() << " (TLS, demo CA)\n"
            << "  Twilio      " << n << " simulated callers (real speech, paced at 20 ms)"
            << (plan.limit > 0 ? "; the middle third ring Steady Drains, limited to " +
                                     std::to_string(plan.limit) + " calls at once"
                               : "")
            << "\n  database    PostgreSQL (throwaway)\n"
            << "  [resume]    grace_ms = " << cfg.resume.grace.count()
            << "; [cluster] lease_ms = " << cfg.cluster.lease.count() << "\n\n";

  // -- the calls, each timing its silence from the kill --
  std::vector<call_view> views(n);
  auto voice_again = std::make_shared<std::vector<std::atomic<int64_t>>>(n);
  for (auto& v : *voice_again)
    v = -1;
  auto killed_at = std::make_shared<std::atomic<int64_t>>(0);
  const int64_t t0_ms = now_ms();
  auto done =
      launch_calls(w, cfg, front, plan.calls, say, [&](std::size_t i, sim::caller_options& o) {
        views[i].who = plan.who[i];
        views[i].limited = plan.limited[i];
        std::function<void(const std::string&)> say_it;
        if (!plan.many) // one line per event of three callers; of many, too many
          say_it = o.on_event;
        o.on_event = [i, voice_again, killed_at, say_it](const std::string& line) {
          // sim/caller_media.cpp: the first assistant audio on the new stream
          if (line.rfind("assistant audio again", 0) == 0 && *killed_at != 0)
            (*voice_again)[i] = mono_us() / 1000 - *killed_at;
          if (say_it)
            say_it(line);
        };
      });
  say(std::to_string(n) + " calls placed through the balancer");
  auto db = storage::store::open(pg->url());
  if (!db) {
    std::cerr << "demo: " << db.err().message << "\n";
    return 1;
  }
  const std::size_t rows_limit = n * 2 + 10;
  auto every_caller_named = [&] { // or refused: its call is over
    auto rows = (*db)->list_calls(static_cast<int>(rows_limit));
    if (!rows)
      return false;
    for (std::size_t i = 0; i < n; ++i)
      if (done[i].wait_for(0s) != std::future_status::ready &&
          !named(**db, *rows, plan.calls[i].script.caller_number))
        return false;
    return true;
  };
  if (!eventually(every_caller_named, plan.many ? 120s : 60s)) {
    std::cerr << "demo: the callers did not give their names within " << (plan.many ? "120" : "60")
              << " s\n";
    return 1;
  }
  std::string victim;
  const std::size_t live_on_victim = mark_kill(**db, plan, views, victim);
  std::size_t k_victim = 0;
  for (std::size_t k = 0; k < nodes.size(); ++k)
    if (nodes.id(k) == victim)
      k_victim = k;
  // -- the crash: not started again --
  *killed_at = mono_us() / 1000;
  const pid_t killed = nodes.pid(k_victim);
  nodes.kill(k_victim);
  say("*** SIGKILL to " + victim + " (pid " + std::to_string(killed) + ") with " +
      std::to_string(live_on_victim) + " of its callers mid-call ***");

  const auto calls_deadline = std::chrono::steady_clock::now() + 180s;
  for (std::size_t i = 0; i < n; ++i) {
    if (done[i].wait_until(calls_deadline) != std::future_status::ready) {
      std::cerr << "demo: call " << i + 1 << " did not finish within 180 s of the kill\n";
      return 1;
    }
    views[i].result = done[i].get();
    views[i].kill_to_voice_ms = (*voice_again)[i];
    const auto& verbs = views[i].result.verbs;
    views[i].refused = std::find(verbs.begin(), verbs.end(), "Connect") == verbs.end();
  }
  say("every caller has hung up");
  // The callers who did not come back are finalized once the grace is over.
  const bool finalized =
      eventually([&] { return all_finalized(**db, rows_limit); }, cfg.resume.grace + 30'000ms);
  const auto cards = static_cast<std::size_t>(
      std::count_if(views.begin(), views.end(), [](const auto& v) { return !v.refused; }));
  w.push.wait_for(cards, 30s);
  std::this_thread::sleep_for(1s); // five notifier polls: a second push would show
  auto pushes = w.push.wait_for(cards, 0ms);
  read_back(pg->url(), pushes, views);
  nodes.stop_all();
  lb->stop();
  if (!plan.many)
    for (std::size_t k = 0; k < nodes.size(); ++k)
      if (k != k_victim)
        print_recovery(nodes.log(k));

  std::vector<std::string> failures;
  if (!finalized)
    failures.push_back("not every call was finalized");
  for (std::size_t i = 0; i < n; ++i) {
    if (plan.many)
      print_view_line(i, views[i]);
    else
      print_view(i, views[i]);
    auto e = judge(views[i]);
    if (e.empty() && views[i].refused && !views[i].limited)
      e = "refused at the webhook, yet its business has no limit";
    if (!e.empty())
      failures.push_back("call " + std::to_string(i + 1) + " (" + views[i].who.customer +
                         "): " + e);
  }
  if (pushes.size() != cards)
    failures.push_back(std::to_string(pushes.size()) + " pushes arrived for " +
                       std::to_string(cards) + " calls");
  if (plan.many)
    print_summary(views, victim);
  else {
    std::cout << "\nPush notifications delivered to the business: " << pushes.size() << "\n";
    for (const auto& p : pushes)
      std::cout << "  " << p << "\n";
  }
  if (plan.limit > 0)
    if (auto e = check_limit(plan, views, t0_ms); !e.empty())
      failures.push_back(e);
  std::cout << "Wall time: "
            << std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() -
                                                                began)
                   .count()
            << " s\n";
  return print_verdict(sc, failures);
}

} // namespace sb::app::demo
