#include "app/demo_crash.hpp"

#include "app/demo_scenarios.hpp"
#include "app/demo_world.hpp"
#include "bench/lb_process.hpp"
#include "bench/pg_server.hpp"
#include "bench/server_process.hpp"
#include "common/time.hpp"
#include "storage/store.hpp"

#include <algorithm>
#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <thread>

namespace sb::app::demo {

namespace {

namespace fs = std::filesystem;
using clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

/// The gap between the kill and the next start: systemd's RestartSec in
/// packaging/switchboard.service.
constexpr auto restart_after = 200ms;

/// The config file an operator would write: the stand-ins' addresses, the
/// database, the scenario's [resume] grace. The secrets go in the
/// environment (child_env()).
void write_config(const std::string& path, const config& c, uint16_t port,
                  const std::string& node_id) {
  std::ofstream f{path};
  f << "[server]\nbind_address = \"127.0.0.1\"\nport = " << port << "\npublic_url = \""
    << c.server.public_url << "\"\nshutdown_grace_ms = 1000\nnode_id = \"" << node_id << "\"\n"
    << "[cluster]\nnode_url = \"" << c.cluster.node_url
    << "\"\nlease_ms = " << c.cluster.lease.count() << "\n"
    << "[twilio]\nrest_base_url = \"" << c.twilio.rest_base_url << "\"\n"
    << "[openai]\nrealtime_url = \"" << c.openai.realtime_url << "\"\nca_file = \""
    << c.openai.ca_file << "\"\n[storage]\npath = \"" << c.storage.path << "\"\n"
    << "[notifier]\npoll_interval_ms = 200\ninitial_backoff_ms = 200\n"
    << "[resume]\ngrace_ms = " << c.resume.grace.count() << "\n";
}

/// The secrets, and the variables that would override the config file
/// (config/config.cpp apply_env) set to its values, so that the caller's
/// own environment cannot point the child elsewhere.
bench::env_list child_env(const config& c, uint16_t port) {
  return {
      {"TWILIO_AUTH_TOKEN", c.twilio.auth_token},     {"TWILIO_ACCOUNT_SID", c.twilio.account_sid},
      {"OPENAI_API_KEY", c.openai.api_key},           {"PORT", std::to_string(port)},
      {"SERVER_PUBLIC_URL", c.server.public_url},     {"SWITCHBOARD_NODE_URL", c.cluster.node_url},
      {"OPENAI_REALTIME_URL", c.openai.realtime_url}, {"SWITCHBOARD_DB", c.storage.path},
      {"SWITCHBOARD_DATABASE_URL", c.storage.path},   {"SWITCHBOARD_LOG_LEVEL", "info"}};
}

/// What one call came to, read back from the database and its caller.
struct call_view {
  crash_caller who;
  sim::caller_result result;
  std::optional<storage::call_record> call;
  std::optional<storage::job> job;
  std::vector<storage::transcript_turn> turns;
  std::size_t rows = 0;   ///< call records with its CallSid
  std::size_t cards = 0;  ///< job cards with its CallSid
  std::size_t pushes = 0; ///< push bodies naming its CallSid
  std::size_t turns_at_kill = 0;
  int64_t kill_to_voice_ms = -1; ///< SIGKILL -> assistant audio on the new stream
  std::string node;              ///< the node that held it at the kill (cluster)
  bool on_killed_node = true;    ///< the crash demo has one node, killed
};

/// Every call has `calls` rows and each has given its name (the booking
/// draft holds it) and had the reply to that (five turns stored).
bool all_named(const std::string& db_path, std::size_t calls) {
  auto db = storage::store::open(db_path);
  if (!db)
    return false;
  auto rows = (*db)->list_calls(100);
  if (!rows || rows->size() != calls)
    return false;
  for (const auto& c : *rows) {
    auto turns = (*db)->turns_for(c.call_sid);
    auto draft = (*db)->booking_draft(c.call_sid);
    if (!turns || turns->size() < 5 || !draft || draft->customer_name.empty())
      return false;
  }
  return true;
}

/// Every call row has an end reason.
bool all_finalized(const std::string& db_path) {
  auto db = storage::store::open(db_path);
  if (!db)
    return false;
  auto rows = (*db)->list_calls(100);
  if (!rows)
    return false;
  return std::none_of(rows->begin(), rows->end(),
                      [](const auto& c) { return c.end_reason == end_reason::none; });
}

template <class Pred> bool eventually(Pred done, std::chrono::milliseconds bound) {
  const auto deadline = clock::now() + bound;
  while (!done()) {
    if (clock::now() > deadline)
      return false;
    std::this_thread::sleep_for(100ms);
  }
  return true;
}

/// The first assistant turn stored after the kill: its reply on resuming.
const storage::transcript_turn* reply_after_resume(const call_view& v) {
  for (std::size_t i = v.turns_at_kill; i < v.turns.size(); ++i)
    if (v.turns[i].role == speaker::assistant)
      return &v.turns[i];
  return nullptr;
}

void read_back(const std::string& db_path, const std::vector<std::string>& pushes,
               std::vector<call_view>& views) {
  auto db = storage::store::open(db_path);
  if (!db)
    return;
  auto rows = (*db)->list_calls(100);
  auto jobs = (*db)->list_jobs(100);
  for (auto& v : views) {
    const auto& sid = v.result.call_sid;
    if (auto c = (*db)->get_call(sid); c && *c)
      v.call = **c;
    if (auto j = (*db)->job_for_call(sid); j && *j)
      v.job = **j;
    if (auto t = (*db)->turns_for(sid); t)
      v.turns = *t;
    if (rows)
      v.rows = std::count_if(rows->begin(), rows->end(),
                             [&](const auto& c) { return c.call_sid == sid; });
    if (jobs)
      v.cards = std::count_if(jobs->begin(), jobs->end(),
                              [&](const auto& j) { return j.call_sid == sid; });
    v.pushes = std::count_if(pushes.begin(), pushes.end(), [&](const std::string& body) {
      return body.find(sid) != std::string::npos;
    });
  }
}

/// "" when the call came out as it should, else what did not.
std::string judge(const call_view& v) {
  if (v.rows != 1)
    return std::to_string(v.rows) + " call records, not one";
  if (v.cards != 1 || !v.job)
    return std::to_string(v.cards) + " job cards, not one";
  if (v.pushes != 1)
    return std::to_string(v.pushes) + " pushes delivered, not one";
  if (v.job->details.customer_name != v.who.customer)
    return "the job card names '" + v.job->details.customer_name + "', not " + v.who.customer;
  if (v.job->details.address.empty() || v.job->details.service.empty())
    return "the job card lost the address or the problem given before the kill";
  if (!v.on_killed_node) { // a survivor's own call: untouched by the kill
    if (!v.result.ok || v.result.streams != 1 || v.call->resumes != 0)
      return "a call on a surviving node was disturbed (streams " +
             std::to_string(v.result.streams) + ", resumes " + std::to_string(v.call->resumes) +
             (v.result.ok ? "" : ", " + v.result.error) + ")";
    return v.call->end_reason == end_reason::assistant_hangup
               ? ""
               : "it ended " + std::string{to_string(v.call->end_reason)};
  }
  if (!v.node.empty() && v.call->node_id == v.node)
    return "no surviving node took it over (still on " + v.node + ")";
  if (!v.who.comes_back) {
    if (v.call->end_reason != end_reason::server_lost)
      return "it ended " + std::string{to_string(v.call->end_reason)} + ", not server_lost";
    return v.call->resumes == 0 ? "" : "it counts a resume it never had";
  }
  if (!v.result.ok)
    return "the caller's call failed: " + v.result.error;
  if (v.result.streams != 2 || v.call->resumes != 1 || v.job->resumes != 1)
    return "not picked up again exactly once (streams " + std::to_string(v.result.streams) +
           ", resumes " + std::to_string(v.call->resumes) + ")";
  if (v.call->end_reason != end_reason::assistant_hangup)
    return "it ended " + std::string{to_string(v.call->end_reason)} + ", not assistant_hangup";
  if (v.job->details.preferred_time.empty())
    return "the job card lacks the time given after the resume";
  const auto* back = reply_after_resume(v);
  if (back == nullptr || back->text.find(v.who.customer) == std::string::npos)
    return "the assistant's reply after the resume does not name " + v.who.customer;
  return {};
}

void print_view(std::size_t i, const call_view& v) {
  std::cout << "\nCall " << i + 1 << ": " << v.who.customer << " (" << v.result.call_sid << "), "
            << (!v.on_killed_node  ? "on a surviving node"
                : v.who.comes_back ? "follows the <Redirect> back"
                                   : "hangs up during the gap (does not come back)")
            << "\n";
  if (!v.node.empty())
    std::cout << "  node:         " << v.node << (v.on_killed_node ? " (killed)" : " (survived)")
              << ", finalized on " << (v.call ? v.call->node_id : std::string{"-"}) << "\n";
  if (!v.call) {
    std::cout << "  (no call record)\n";
    return;
  }
  std::cout << "  end reason:   " << to_string(v.call->end_reason)
            << (v.call->end_detail.empty() ? "" : " (" + v.call->end_detail + ")") << ", status "
            << to_string(v.call->status) << "\n"
            << "  resumes:      " << v.call->resumes << " on the call record, "
            << (v.job ? std::to_string(v.job->resumes) : std::string{"-"})
            << " on the job card; Media Streams " << v.result.streams << "\n"
            << "  records:      " << v.rows << " call record, " << v.cards << " job card, "
            << v.pushes << " push delivered\n";
  if (v.job) {
    const auto& d = v.job->details;
    std::cout << "  job card #" << v.job->id << ":  " << d.customer_name << "; " << d.address
              << "; " << d.service << "; " << d.urgency << "; when: " << d.preferred_date << " "
              << d.preferred_time << "; phone " << d.callback_phone << " (" << v.job->status
              << ")\n";
  }
  if (v.kill_to_voice_ms >= 0 && !v.result.resume_gap_ms.empty())
    std::cout << "  silent gap:   " << v.kill_to_voice_ms
              << " ms from SIGKILL to the assistant's voice again (" << v.result.resume_gap_ms[0]
              << " ms since the caller last heard it)\n";
  if (const auto* back = reply_after_resume(v); back && v.who.comes_back)
    std::cout << "  after it:     Assistant: " << back->text << "\n";
}

/// The restarted server's log lines about the calls it found open.
void print_recovery(const std::string& log_path) {
  std::ifstream in{log_path};
  std::cout << "\nThe log of " << log_path << ", about the calls:\n";
  for (std::string line; std::getline(in, line);)
    if (line.find("open when it last stopped") != std::string::npos ||
        line.find("picked up again") != std::string::npos ||
        line.find("did not come back") != std::string::npos ||
        line.find("took over") != std::string::npos ||
        line.find("is sent on to node") != std::string::npos ||
        line.find("lost its stream") != std::string::npos)
      std::cout << "  " << line << "\n";
}

/// The crash demo (`nodes` = 1: killed and started again) and the cluster
/// demo (`nodes` = 3 on PostgreSQL behind HAProxy: one killed, the others
/// take its calls over).
int run_kill_demo(const scenario& sc, const std::string& dir_text, int nodes) {
  const fs::path dir = dir_text;
  const bool cluster = nodes > 1;
  stamped_out say;
  auto calls = sc.calls(tomorrow_date());
  world w;
  config cfg;
  const std::string auth_token = "demo-auth-token-" + std::to_string(now_ms());
  std::optional<bench::pg_database> pg;
  std::string db_path = (dir / "switchboard.db").string();
  if (cluster) {
    try {
      pg.emplace();
    } catch (const std::exception& e) {
      std::cerr << "demo: no PostgreSQL for the cluster: " << e.what()
                << " (bash scripts/setup.sh installs it: apt-get install postgresql)\n";
      return 1;
    }
    db_path = pg->url();
    if (auto h = bench::find_haproxy(); !h) {
      std::cerr << "demo: " << h.err().message << "\n";
      return 1;
    }
  }
  if (auto e = start_world(w, dir, sc, calls, auth_token); !e.empty()) {
    std::cerr << "demo: " << e << "\n";
    return 1;
  }
  if (auto r = add_demo_tenant(db_path, w.push.port(), sc); !r) {
    std::cerr << "demo: " << r.err().message << "\n";
    return 1;
  }
  cfg = demo_config(w.peer->url(), (dir / "demo-ca.pem").string(), db_path, *w.rest, sc);
  cfg.twilio.auth_token = auth_token;
  std::vector<uint16_t> ports;
  for (int k = 0; k < nodes; ++k)
    ports.push_back(bench::free_port());
  const uint16_t front = cluster ? bench::free_port() : ports[0];
  if (cluster) { // Twilio reaches the balancer; each node's streams reach the node
    cfg.server.public_url = "http://127.0.0.1:" + std::to_string(front);
    cfg.cluster.lease = 1000ms;
  }
  auto node_id = [&](int k) { return cluster ? "node-" + std::to_string(k + 1) : "crash-demo"; };
  auto node_cfg = [&](int k) {
    config c = cfg;
    if (cluster)
      c.cluster.node_url = "http://127.0.0.1:" + std::to_string(ports[k]);
    return c;
  };
  auto config_path = [&](int k) {
    return (dir / ("config-" + std::to_string(k + 1) + ".toml")).string();
  };
  for (int k = 0; k < nodes; ++k)
    write_config(config_path(k), node_cfg(k), ports[k], node_id(k));
  // Our own binary: `switchboard serve` as systemd would run it.
  std::error_code ec;
  const std::string self = fs::read_symlink("/proc/self/exe", ec).string();
  int starts = 0;
  auto log_path = [&](int n) { return (dir / ("server-" + std::to_string(n) + ".log")).string(); };
  std::vector<std::string> logs(nodes);
  auto start = [&](int k) -> result<bench::server_process> {
    logs[k] = log_path(++starts);
    return bench::server_process::start(self, config_path(k), child_env(node_cfg(k), ports[k]),
                                        ports[k], logs[k]);
  };
  std::vector<bench::server_process> servers;
  for (int k = 0; k < nodes; ++k) {
    auto server = start(k);
    if (!server) {
      std::cerr << "demo: " << server.err().message << "\n";
      return 1;
    }
    servers.push_back(std::move(*server));
  }
  bench::lb_process lb;
  if (cluster) {
    std::vector<bench::lb_backend> backends;
    for (int k = 0; k < nodes; ++k)
      backends.push_back({node_id(k), ports[k]});
    auto started = bench::lb_process::start(dir.string(), front, backends);
    if (!started) {
      std::cerr << "demo: " << started.err().message << "\n";
      return 1;
    }
    lb = std::move(*started);
    std::this_thread::sleep_for(700ms); // every node passes its first health check
  }
  std::cout << "Switchboard demo, scenario " << sc.name << ": " << sc.summary << "\n";
  for (int k = 0; k < nodes; ++k)
    std::cout << "  server      " << self << " --config " << config_path(k) << " serve, pid "
              << servers[k].pid() << ", http://127.0.0.1:" << ports[k]
              << (cluster ? " (" + node_id(k) + ")" : std::string{}) << "\n";
  if (cluster)
    std::cout << "  balancer    HAProxy, http://127.0.0.1:" << front
              << " (webhooks and the resume <Redirect>; config " << (dir / "haproxy.cfg").string()
              << ")\n";
  std::cout << "  OpenAI      simulated Realtime peer, " << w.peer->url() << " (TLS, demo CA)\n"
            << "  Twilio      simulated callers (real speech, paced at 20 ms)\n"
            << "  database    " << (cluster ? std::string{"PostgreSQL (throwaway)"} : db_path)
            << "\n"
            << "  [resume]    grace_ms = " << cfg.resume.grace.count() << "\n\n";

  // -- the calls, each timing its silence from the kill --
  const std::size_t n = calls.size();
  std::vector<call_view> views(n);
  auto voice_again = std::make_shared<std::vector<std::atomic<int64_t>>>(n);
  for (auto& v : *voice_again)
    v = -1;
  auto killed_at = std::make_shared<std::atomic<int64_t>>(0);
  auto done = launch_calls(w, cfg, front, calls, say, [&](std::size_t i, sim::caller_options& o) {
    views[i].who = crash_callers()[i];
    o.on_event = [i, voice_again, killed_at, say_it = o.on_event](const std::string& line) {
      // sim/caller_media.cpp: the first assistant audio on the new stream
      if (line.rfind("assistant audio again", 0) == 0 && *killed_at != 0)
        (*voice_again)[i] = mono_us() / 1000 - *killed_at;
      say_it(line);
    };
  });
  if (!eventually([&] { return all_named(db_path, n); }, 60s)) {
    std::cerr << "demo: the callers did not give their names within 60 s\n";
    return 1;
  }
  int victim = 0;                                  // the node that holds the first caller's call
  if (auto db = storage::store::open(db_path); db) // where each call's turns after the kill begin
    if (auto rows = (*db)->list_calls(100); rows)
      for (std::size_t i = 0; i < n; ++i)
        for (const auto& c : *rows)
          if (auto t = (*db)->turns_for(c.call_sid); t && c.from == calls[i].script.caller_number) {
            views[i].turns_at_kill = t->size();
            if (cluster)
              views[i].node = c.node_id;
          }
  if (cluster) {
    for (int k = 0; k < nodes; ++k)
      if (node_id(k) == views[0].node)
        victim = k;
    for (auto& v : views)
      v.on_killed_node = v.node == node_id(victim);
  }
  // -- the crash --
  *killed_at = mono_us() / 1000;
  ::kill(servers[victim].pid(), SIGKILL);
  say("*** SIGKILL to " + (cluster ? node_id(victim) : std::string{"the server"}) + " (pid " +
      std::to_string(servers[victim].pid()) + ") with every caller mid-call ***");
  if (!cluster) {
    std::this_thread::sleep_for(restart_after);
    auto server = start(0);
    if (!server) {
      std::cerr << "demo: the restart failed: " << server.err().message << "\n";
      return 1;
    }
    servers[0] = std::move(*server);
    say("*** the server started again (pid " + std::to_string(servers[0].pid()) + ") ***");
  }

  bool finished = true;
  for (std::size_t i = 0; i < n; ++i) {
    if (done[i].wait_for(150s) != std::future_status::ready) {
      finished = false;
      continue;
    }
    views[i].result = done[i].get();
    views[i].kill_to_voice_ms = (*voice_again)[i];
  }
  if (!finished) {
    std::cerr << "demo: a call did not finish in time\n";
    return 1;
  }
  // The caller who did not come back is finalized once the grace is over.
  const bool finalized =
      eventually([&] { return all_finalized(db_path); }, cfg.resume.grace + 30'000ms);
  w.push.wait_for(n, 20s);
  std::this_thread::sleep_for(1s); // five notifier polls: a second push would show
  auto pushes = w.push.wait_for(n, 0ms);
  read_back(db_path, pushes, views);
  for (auto& s : servers)
    s.stop();
  lb.stop();
  for (int k = 0; k < nodes; ++k)
    if (!cluster || k != victim)
      print_recovery(logs[k]);

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
  std::cout << "\nScenario " << sc.name << ": ";
  if (failures.empty()) {
    std::cout << "went as expected\n";
    return 0;
  }
  std::cout << "NOT as expected:\n";
  for (const auto& f : failures)
    std::cout << "  " << f << "\n";
  return 1;
}

} // namespace

int run_crash_demo(const scenario& sc, const std::string& dir) {
  return run_kill_demo(sc, dir, 1);
}

int run_cluster_demo(const scenario& sc, const std::string& dir) {
  return run_kill_demo(sc, dir, 3);
}

} // namespace sb::app::demo
