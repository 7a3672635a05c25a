#include "app/demo.hpp"

#include "app/admin_text.hpp"
#include "app/server.hpp"
#include "common/log.hpp"
#include "common/scope_exit.hpp"
#include "common/time.hpp"
#include "net/http_server.hpp"
#include "net/io.hpp"
#include "net/test_ca.hpp"
#include "sim/caller.hpp"
#include "sim/realtime_peer.hpp"
#include "storage/store.hpp"

#include <chrono>
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

std::string tomorrow_date() {
  std::time_t t = static_cast<std::time_t>(now_ms() / 1000 + 24 * 3600);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

void print_card(const storage::job& j, const std::vector<storage::transcript_turn>& turns) {
  std::cout << "\n========================= JOB CARD (from SQLite) =========================\n"
            << "  Job #" << j.id << "   status: " << j.status << "\n"
            << "  Caller:     " << j.caller << "\n"
            << "  Customer:   " << j.details.customer_name << "\n"
            << "  Phone:      " << j.details.callback_phone << "\n"
            << "  Needs:      " << j.details.service << "\n"
            << "  Where:      " << j.details.address << "\n"
            << "  When:       " << j.details.preferred_date << " " << j.details.preferred_time
            << "\n"
            << "  Urgency:    " << j.details.urgency << "\n"
            << "  Summary:    " << j.summary << "\n"
            << "  Cost:       " << text::usd(j.cost_usd) << " (OpenAI usage, priced per response)\n"
            << "\n  Transcript (" << turns.size() << " turns, as stored):\n";
  for (const auto& t : turns) {
    std::cout << "    " << (t.role == speaker::caller ? "Caller:    " : "Assistant: ") << t.text;
    if (t.latency_ms >= 0)
      std::cout << "   [" << t.latency_ms << " ms after the caller stopped; bridge "
                << t.bridge_latency_ms << " ms]";
    if (t.truncated)
      std::cout << " [cut by barge-in; generated: " << t.full_text << "]";
    std::cout << "\n";
  }
  std::cout << "===========================================================================\n";
}

const std::string caller_number = "+15557654321";
const std::string business_number = "+15551230000";

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

/// The business's push endpoint: keeps the body of the first push it gets.
struct push_endpoint {
  std::promise<std::string> pushed;
  std::once_flag pushed_once;
  std::shared_ptr<net::http_server> server;

  status start(boost::asio::io_context& io) {
    net::http_server_options opts;
    net::http_handlers handlers;
    handlers.on_request = [this](net::http_request req, net::responder respond) {
      std::call_once(pushed_once, [&] { pushed.set_value(req.body); });
      respond(net::http_response::json(200, "{\"ok\":true}"));
    };
    auto started = net::http_server::start(io, opts, handlers);
    if (!started)
      return started.err();
    server = *started;
    return ok_status();
  }
};

result<std::shared_ptr<sim::realtime_peer>> start_peer(boost::asio::io_context& io,
                                                       const net::pem_pair& cert,
                                                       const sim::clip_library& clips,
                                                       const sim::call_script& script) {
  sim::peer_options popts;
  popts.tls_cert_pem = cert.cert_pem;
  popts.tls_key_pem = cert.key_pem;
  popts.clips = clips;
  popts.scripts = {script};
  return sim::realtime_peer::start(io, popts);
}

/// Bright Plumbing in a new database at `db_path`, pushing to `push_port`.
status add_demo_tenant(const std::string& db_path, uint16_t push_port) {
  auto db = storage::store::open(db_path);
  if (!db)
    return db.err();
  storage::tenant t;
  t.number = business_number;
  t.name = "Bright Plumbing";
  t.greeting = "Thanks for calling Bright Plumbing. This is the virtual receptionist. How can I "
               "help you today?";
  t.context = "A family plumbing business: leaks, blocked drains, water heaters.";
  t.hours = "mon-sun 07:00-19:00";
  t.push_url = "http://127.0.0.1:" + std::to_string(push_port) + "/push";
  return (*db)->add_tenant(t);
}

config demo_config(const std::string& realtime_url, const std::string& ca_file,
                   const std::string& db_path) {
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
  cfg.twilio.auth_token = "demo-auth-token-" + std::to_string(now_ms());
  cfg.twilio.account_sid = "AC00000000000000000000000000000000";
  cfg.openai.api_key = "demo-key";
  cfg.openai.realtime_url = realtime_url;
  cfg.openai.ca_file = ca_file;
  cfg.storage.path = db_path;
  cfg.notifier.poll_interval = std::chrono::milliseconds{200};
  return cfg;
}

void print_banner(uint16_t server_port, const std::string& realtime_url,
                  const std::string& db_path) {
  std::cout << "Switchboard demo: a caller rings Bright Plumbing (" << business_number << ").\n"
            << "  server      http://127.0.0.1:" << server_port << "\n"
            << "  OpenAI      simulated Realtime peer, " << realtime_url << " (TLS, demo CA)\n"
            << "  caller      simulated, real speech (espeak-ng), paced at 20 ms\n"
            << "  database    " << db_path << "\n\n";
}

/// The simulated caller's whole call to the server at `server_port`;
/// nothing when it has not finished within 150 s.
std::optional<sim::caller_result> place_call(boost::asio::io_context& io, const config& cfg,
                                             uint16_t server_port, const sim::call_script& script,
                                             const sim::clip_library& clips, stamped_out& say) {
  sim::caller_options copts;
  copts.server_url = "http://127.0.0.1:" + std::to_string(server_port);
  copts.public_url = cfg.server.public_url;
  copts.auth_token = cfg.twilio.auth_token;
  copts.account_sid = cfg.twilio.account_sid;
  copts.to_number = business_number;
  copts.script = script;
  copts.clips = &clips;
  copts.on_event = [&say](const std::string& line) { say("  (caller) " + line); };
  // Shared with the callback: it may still run after a time-out here.
  auto done = std::make_shared<std::promise<sim::caller_result>>();
  auto fut = done->get_future();
  sim::run_caller(io, copts, [done](sim::caller_result r) { done->set_value(std::move(r)); });
  if (fut.wait_for(std::chrono::seconds{150}) != std::future_status::ready)
    return std::nullopt;
  return fut.get();
}

/// Prints the job card stored for the call; 0 when the call went well and
/// its job card is there, new.
int print_job_card(const std::string& db_path, const sim::caller_result& result) {
  auto db = storage::store::open(db_path);
  int rc = 1;
  if (db) {
    auto job = (*db)->job_for_call(result.call_sid);
    auto turns = (*db)->turns_for(result.call_sid);
    if (job && *job && turns) {
      print_card(**job, *turns);
      rc = (result.ok && (*job)->status == "new") ? 0 : 1;
    } else {
      std::cerr << "demo: no job card was stored for " << result.call_sid << "\n";
    }
  }
  return rc;
}

/// After the call: waits for its supervisor to finalize it (at most 5 s),
/// then for the push (at most 10 s); the pushed body, if any.
std::optional<std::string> await_finalize_and_push(server& srv, push_endpoint& push) {
  for (int i = 0; i < 100 && srv.active_calls() > 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
  auto push_future = push.pushed.get_future();
  if (push_future.wait_for(std::chrono::seconds{10}) != std::future_status::ready)
    return std::nullopt;
  return push_future.get();
}

void print_push_and_setup(const std::optional<std::string>& pushed,
                          const sim::caller_result& result) {
  if (pushed)
    std::cout << "\nPush notification delivered to the business:\n  " << *pushed << "\n";
  else
    std::cout << "\nPush notification: not delivered within 10 s (it stays in the outbox)\n";
  if (result.setup_ms >= 0)
    std::cout << "\nCall set-up (webhook -> first greeting audio at the caller): "
              << result.setup_ms << " ms\n";
}

} // namespace

int run_demo(bool keep_files) {
  quiet_logs();
  char tmpl[] = "/tmp/switchboard-demo-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) {
    std::cerr << "demo: cannot make a temporary folder\n";
    return 1;
  }
  fs::path dir = tmpl;
  // Runs last, on every return below: after the server, the stand-ins and
  // their io thread are gone.
  const scope_exit remove_dir{[&] {
    if (!keep_files)
      fs::remove_all(dir);
  }};
  stamped_out say;

  // -- the stand-ins: OpenAI (TLS) and the business's push endpoint --------
  net::io_runtime sim_io{1};
  auto ca = net::make_test_ca("Switchboard demo CA");
  auto cert = net::make_server_cert(ca, {"localhost"}, {"127.0.0.1"});
  std::string ca_file = (dir / "demo-ca.pem").string();
  std::ofstream{ca_file} << ca.cert_pem;

  auto clips = sim::clip_library::load_default();
  if (!clips) {
    std::cerr << "demo: speech clips (SWITCHBOARD_CLIPS): " << clips.err().message << "\n";
    return 1;
  }
  auto script = sim::demo_script(caller_number, tomorrow_date());
  auto peer = start_peer(sim_io.context(), cert, *clips, script);
  if (!peer) {
    std::cerr << "demo: simulated Realtime peer: " << peer.err().message << "\n";
    return 1;
  }
  push_endpoint push;
  if (auto r = push.start(sim_io.context()); !r) {
    std::cerr << "demo: push endpoint: " << r.err().message << "\n";
    return 1;
  }

  // -- the real server on a temporary database ------------------------------
  std::string db_path = (dir / "switchboard.db").string();
  if (auto r = add_demo_tenant(db_path, push.server->port()); !r) {
    std::cerr << "demo: " << r.err().message << "\n";
    return 1;
  }
  config cfg = demo_config((*peer)->url(), ca_file, db_path);
  auto srv = server::start(cfg, [&](const std::string&, const std::string& line) { say(line); });
  if (!srv) {
    std::cerr << "demo: server: " << srv.err().message << "\n";
    return 1;
  }
  print_banner((*srv)->port(), (*peer)->url(), db_path);

  // -- the call ----------------------------------------------------------------
  auto call = place_call(sim_io.context(), cfg, (*srv)->port(), script, *clips, say);
  if (!call) {
    std::cerr << "demo: the call did not finish in time\n";
    return 1;
  }
  const sim::caller_result& result = *call;
  say(result.ok ? "call over: the assistant hung up" : "call failed: " + result.error);

  auto pushed = await_finalize_and_push(**srv, push);
  (*srv)->shutdown();

  int rc = print_job_card(db_path, result);
  print_push_and_setup(pushed, result);
  if (keep_files)
    std::cout << "Files kept in " << dir.string() << "\n";
  (*peer)->stop();
  sim_io.stop();
  return rc;
}

} // namespace sb::app
