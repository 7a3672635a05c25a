#include "app/demo_world.hpp"

#include "common/log.hpp"
#include "common/time.hpp"
#include "config/config.hpp"
#include "net/http_server.hpp"
#include "net/test_ca.hpp"
#include "storage/store.hpp"

#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <thread>

namespace sb::app::demo {

namespace fs = std::filesystem;

std::string tomorrow_date() {
  std::time_t t = static_cast<std::time_t>(now_ms() / 1000 + 24 * 3600);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

void stamped_out::operator()(const std::string& line) {
  auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0_)
          .count();
  char buf[32];
  std::snprintf(buf, sizeof buf, "[%6.2f s] ", static_cast<double>(ms) / 1000.0);
  std::lock_guard<std::mutex> g{mtx_};
  std::cout << buf << line << std::endl;
}

status push_endpoint::start(boost::asio::io_context& io) {
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

uint16_t push_endpoint::port() const {
  return server_->port();
}

std::vector<std::string> push_endpoint::wait_for(std::size_t n, std::chrono::milliseconds bound) {
  std::unique_lock<std::mutex> g{mu_};
  cv_.wait_for(g, bound, [&] { return bodies_.size() >= n; });
  return bodies_;
}

world::~world() {
  if (peer)
    peer->stop();
  if (rest)
    rest->stop();
  io.stop();
}

/// Starts the stand-ins; "" on success, else what failed.
std::string start_world(world& w, const fs::path& dir, const scenario& sc,
                        const std::vector<placed_call>& calls, const std::string& auth_token) {
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

/// Bright Plumbing in a new database at `db_path`, pushing to `push_port`.
status add_demo_tenant(const std::string& db_path, uint16_t push_port, const scenario& sc) {
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
  // Three vans: three bookings may share a slot (issue 17.6). The crash
  // scenario's callers all ask for tomorrow at ten.
  t.slot_capacity = 3;
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

std::vector<std::future<sim::caller_result>>
launch_calls(world& w, const config& cfg, uint16_t server_port,
             const std::vector<placed_call>& calls, stamped_out& say,
             const std::function<void(std::size_t, sim::caller_options&)>& each) {
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::future<sim::caller_result>> done;
  for (std::size_t i = 0; i < calls.size(); ++i) {
    std::this_thread::sleep_until(t0 + std::chrono::milliseconds{calls[i].start_after_ms});
    sim::caller_options c;
    c.server_url = "http://127.0.0.1:" + std::to_string(server_port);
    c.public_url = cfg.server.public_url;
    c.auth_token = cfg.twilio.auth_token;
    c.account_sid = cfg.twilio.account_sid;
    c.to_number = business_number;
    c.script = calls[i].script;
    c.clips = &w.clips;
    c.rest = w.rest;
    const std::string who =
        calls.size() == 1 ? "(caller) " : "(caller " + std::to_string(i + 1) + ") ";
    c.on_event = [&say, who](const std::string& line) { say("  " + who + line); };
    if (calls[i].adjust)
      calls[i].adjust(c);
    if (each)
      each(i, c);
    // Shared with the callback: it may still run after a time-out here.
    auto p = std::make_shared<std::promise<sim::caller_result>>();
    done.push_back(p->get_future());
    sim::run_caller(w.io.context(), c, [p](sim::caller_result r) { p->set_value(std::move(r)); });
  }
  return done;
}

} // namespace sb::app::demo
