#include "app/demo.hpp"

#include "app/demo_print.hpp"
#include "app/demo_scenarios.hpp"
#include "app/server.hpp"
#include "common/log.hpp"
#include "common/scope_exit.hpp"
#include "common/time.hpp"
#include "net/http_server.hpp"
#include "net/io.hpp"
#include "net/test_ca.hpp"
#include "storage/store.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

namespace sb::app {

namespace {

namespace fs = std::filesystem;
using demo::outcome;
using demo::scenario;

std::string tomorrow_date() {
  std::time_t t = static_cast<std::time_t>(now_ms() / 1000 + 24 * 3600);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

/// Quieter logs for the demo's own output, unless SWITCHBOARD_LOG_LEVEL asks.
void quiet_logs() {
  if (log::current_level() < log::level::warn && std::getenv("SWITCHBOARD_LOG_LEVEL") == nullptr)
    log::set_level(log::level::warn);
}

/// Prints lines stamped with the time since the demo began; from any thread.
class stamped_out {
public:
  void operator()(const std::string& line) {
    std::lock_guard<std::mutex> g{mtx_};
    std::cout << stamp() << line << std::endl;
  }

private:
  std::string stamp() const {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - t0_)
                  .count();
    char buf[32];
    std::snprintf(buf, sizeof buf, "[%6.2f s] ", static_cast<double>(ms) / 1000.0);
    return std::string{buf};
  }

  std::chrono::steady_clock::time_point t0_ = std::chrono::steady_clock::now();
  std::mutex mtx_;
};

/// The business's push endpoint: keeps the body of every push it gets.
class push_endpoint {
public:
  status start(boost::asio::io_context& io) {
    net::http_handlers handlers;
    handlers.on_request = [this](net::http_request req, net::responder respond) {
      {
        std::lock_guard<std::mutex> g{mu_};
        bodies_.push_back(req.body);
      }
      cv_.notify_all();
      respond(net::http_response::json(200, "{\"ok\":true}"));
    };
    auto started = net::http_server::start(io, net::http_server_options{}, handlers);
    if (!started)
      return started.err();
    server_ = *started;
    return ok_status();
  }
  uint16_t port() const { return server_->port(); }
  /// The bodies received once `n` came, or when `bound` passed.
  std::vector<std::string> wait_for(std::size_t n, std::chrono::milliseconds bound) {
    std::unique_lock<std::mutex> g{mu_};
    cv_.wait_for(g, bound, [&] { return bodies_.size() >= n; });
    return bodies_;
  }

private:
  std::shared_ptr<net::http_server> server_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> bodies_;
};

/// Bright Plumbing in a new database at `db_path`, pushing to `push_port`.
status add_demo_tenant(const std::string& db_path, uint16_t push_port, const scenario& sc) {
  auto db = storage::store::open(db_path);
  if (!db)
    return db.err();
  storage::tenant t;
  t.number = demo::business_number;
  t.name = "Bright Plumbing";
  t.greeting = "Thanks for calling Bright Plumbing. This is the virtual receptionist. How can I "
               "help you today?";
  t.context = "A family plumbing business: leaks, blocked drains, water heaters.";
  t.hours = "mon-sun 07:00-19:00";
  t.push_url = "http://127.0.0.1:" + std::to_string(push_port) + "/push";
  if (sc.tenant)
    sc.tenant(t);
  return (*db)->add_tenant(t);
}

config demo_config(const std::string& realtime_url, const std::string& ca_file,
                   const std::string& db_path, const sim::twilio_rest& rest, const scenario& sc) {
  config cfg;
  // The environment's debug switches and log format (README "Logs") hold for
  // the demo too; its other settings are the demo's own.
  try {
    auto env = parse_config("", "environment", process_env());
    cfg.debug = env.debug;
    cfg.log = env.log;
  } catch (const config_error& e) {
    log::warn("Demo", std::string{"Ignoring the environment: "} + e.what());
  }
  cfg.server.bind_address = "127.0.0.1";
  cfg.server.port = 0;
  cfg.server.public_url = "https://switchboard.demo.invalid";
  cfg.server.shutdown_grace = std::chrono::milliseconds{2000};
  cfg.twilio.account_sid = rest.account_sid(); // auth_token: the caller's, set by run_in
  cfg.twilio.rest_base_url = rest.base_url();
  cfg.openai.api_key = "demo-key";
  cfg.openai.realtime_url = realtime_url;
  cfg.openai.ca_file = ca_file;
  cfg.storage.path = db_path;
  cfg.notifier.poll_interval = std::chrono::milliseconds{200};
  if (sc.tune)
    sc.tune(cfg);
  return cfg;
}

/// The stand-ins of the outside world, on their own io thread.
struct world {
  net::io_runtime io{1};
  std::shared_ptr<sim::realtime_peer> peer;
  std::shared_ptr<sim::twilio_rest> rest;
  push_endpoint push;
  sim::clip_library clips;

  ~world() {
    if (peer)
      peer->stop();
    if (rest)
      rest->stop();
    io.stop();
  }
};

/// Starts the stand-ins; "" on success, else what failed.
std::string start_world(world& w, const fs::path& dir, const scenario& sc,
                        const std::vector<demo::placed_call>& calls, std::string& auth_token) {
  auto ca = net::make_test_ca("Switchboard demo CA");
  auto cert = net::make_server_cert(ca, {"localhost"}, {"127.0.0.1"});
  std::ofstream{dir / "demo-ca.pem"} << ca.cert_pem;
  auto clips = sim::clip_library::load_default();
  if (!clips)
    return "speech clips (SWITCHBOARD_CLIPS): " + clips.err().message;
  w.clips = *clips;
  sim::peer_options popts;
  popts.tls_cert_pem = cert.cert_pem;
  popts.tls_key_pem = cert.key_pem;
  popts.clips = w.clips;
  for (const auto& c : calls)
    popts.scripts.push_back(c.script);
  if (sc.peer)
    sc.peer(popts);
  auto peer = sim::realtime_peer::start(w.io.context(), popts);
  if (!peer)
    return "simulated Realtime peer: " + peer.err().message;
  w.peer = *peer;
  sim::twilio_rest_options ropts;
  ropts.auth_token = auth_token;
  auto rest = sim::twilio_rest::start(w.io.context(), ropts);
  if (!rest)
    return "Twilio REST stand-in: " + rest.err().message;
  w.rest = *rest;
  if (auto r = w.push.start(w.io.context()); !r)
    return "push endpoint: " + r.err().message;
  return {};
}

/// Places every call at its time and waits for all of them (at most 150 s
/// after the last began); nothing when one did not finish.
std::optional<std::vector<sim::caller_result>>
place_calls(world& w, const config& cfg, uint16_t server_port,
            const std::vector<demo::placed_call>& calls, stamped_out& say) {
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::future<sim::caller_result>> done;
  for (std::size_t i = 0; i < calls.size(); ++i) {
    std::this_thread::sleep_until(t0 + std::chrono::milliseconds{calls[i].start_after_ms});
    sim::caller_options c;
    c.server_url = "http://127.0.0.1:" + std::to_string(server_port);
    c.public_url = cfg.server.public_url;
    c.auth_token = cfg.twilio.auth_token;
    c.account_sid = cfg.twilio.account_sid;
    c.to_number = demo::business_number;
    c.script = calls[i].script;
    c.clips = &w.clips;
    c.rest = w.rest;
    const std::string who =
        calls.size() == 1 ? "(caller) " : "(caller " + std::to_string(i + 1) + ") ";
    c.on_event = [&say, who](const std::string& line) { say("  " + who + line); };
    if (calls[i].adjust)
      calls[i].adjust(c);
    // Shared with the callback: it may still run after a time-out here.
    auto p = std::make_shared<std::promise<sim::caller_result>>();
    done.push_back(p->get_future());
    sim::run_caller(w.io.context(), c, [p](sim::caller_result r) { p->set_value(std::move(r)); });
  }
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
  auto calls = sc.calls(tomorrow_date());
  world w;
  std::string auth_token = "demo-auth-token-" + std::to_string(now_ms());
  if (auto e = start_world(w, dir, sc, calls, auth_token); !e.empty()) {
    std::cerr << "demo: " << e << "\n";
    return 1;
  }
  std::string db_path = (dir / "switchboard.db").string();
  if (auto r = add_demo_tenant(db_path, w.push.port(), sc); !r) {
    std::cerr << "demo: " << r.err().message << "\n";
    return 1;
  }
  config cfg = demo_config(w.peer->url(), (dir / "demo-ca.pem").string(), db_path, *w.rest, sc);
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
  int rc = run_in(dir, *sc, say);
  if (options.keep_files)
    std::cout << "Files kept in " << dir.string() << "\n";
  return rc;
}

} // namespace sb::app
