#pragma once
// A whole simulated deployment for the console tests and the browser test's
// driver: the simulated Realtime peer (TLS, a CA made on the spot), a push
// endpoint for job cards, a fresh SQLite tenant, and the real server with a
// console token, all on 127.0.0.1 with ephemeral ports. Calls are placed by
// the simulated caller with real (espeak-ng) speech, like `switchboard demo`.

#include "app/server.hpp"
#include "common/log.hpp"
#include "common/time.hpp"
#include "net/http_server.hpp"
#include "net/io.hpp"
#include "net/test_ca.hpp"
#include "sim/caller.hpp"
#include "sim/realtime_peer.hpp"
#include "storage/store.hpp"
#include "tests/support/eventually.hpp"

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

namespace sb::console::test {

using sb::test::eventually;

inline constexpr const char* business_number = "+15551230000";
inline constexpr const char* caller_number = "+15557654321";
inline constexpr const char* public_url = "https://switchboard.console-test.invalid";

inline std::string tomorrow_date() {
  std::time_t t = static_cast<std::time_t>(now_ms() / 1000 + 24 * 3600);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

/// The demo's booking call; with `linger_ms` the caller waits that long
/// before its goodbye, so the call stays live (for ending it from the console).
inline sim::call_script booking_script(int linger_ms = 0) {
  auto s = sim::demo_script(caller_number, tomorrow_date());
  if (linger_ms > 0)
    s.turns.back().pause_before_ms = linger_ms;
  return s;
}

class console_env {
public:
  /// Throws std::runtime_error when a part cannot start.
  console_env(const std::string& console_token, sim::call_script script,
              const std::function<void(config&)>& tweak = {})
      : script_(std::move(script)) {
    char tmpl[] = "/tmp/sb-console-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr)
      throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    auto ca = net::make_test_ca("Switchboard console test CA");
    auto cert = net::make_server_cert(ca, {"localhost"}, {"127.0.0.1"});
    std::string ca_file = (dir_ / "ca.pem").string();
    std::ofstream{ca_file} << ca.cert_pem;
    auto clips = sim::clip_library::load_default();
    if (!clips)
      throw std::runtime_error("speech clips: " + clips.err().message);
    clips_ = std::make_unique<sim::clip_library>(std::move(*clips));

    sim::peer_options popts;
    popts.tls_cert_pem = cert.cert_pem;
    popts.tls_key_pem = cert.key_pem;
    popts.clips = *clips_;
    popts.scripts = {script_};
    auto peer = sim::realtime_peer::start(sim_io_.context(), popts);
    if (!peer)
      throw std::runtime_error("peer: " + peer.err().message);
    peer_ = std::move(*peer);

    net::http_handlers push;
    push.on_request = [](net::http_request, net::responder respond) {
      respond(net::http_response::json(200, "{\"ok\":true}"));
    };
    auto push_server = net::http_server::start(sim_io_.context(), {}, push);
    if (!push_server)
      throw std::runtime_error("push: " + push_server.err().message);
    push_ = *push_server;

    cfg_.storage.path = (dir_ / "switchboard.db").string();
    {
      auto db = storage::store::open(cfg_.storage.path);
      if (!db)
        throw std::runtime_error(db.err().message);
      storage::tenant t;
      t.number = business_number;
      t.name = "Bright Plumbing";
      t.greeting = "Thanks for calling Bright Plumbing.";
      t.hours = "mon-sun 07:00-19:00";
      t.push_url = "http://127.0.0.1:" + std::to_string(push_->port()) + "/push";
      if (auto r = (*db)->add_tenant(t); !r)
        throw std::runtime_error(r.err().message);
    }
    cfg_.server.bind_address = "127.0.0.1";
    cfg_.server.port = 0;
    cfg_.server.public_url = public_url;
    cfg_.server.shutdown_grace = std::chrono::milliseconds{500};
    cfg_.twilio.auth_token = "console-test-auth-" + std::to_string(now_ms());
    cfg_.twilio.account_sid = "AC00000000000000000000000000000000";
    cfg_.openai.api_key = "test-key";
    cfg_.openai.realtime_url = peer_->url();
    cfg_.openai.ca_file = ca_file;
    cfg_.notifier.poll_interval = std::chrono::milliseconds{200};
    cfg_.console.token = console_token;
    if (tweak)
      tweak(cfg_);
    auto srv = app::server::start(cfg_);
    if (!srv)
      throw std::runtime_error("server: " + srv.err().message);
    server_ = std::move(*srv);
  }

  ~console_env() {
    if (server_)
      server_->shutdown();
    server_.reset();
    if (peer_)
      peer_->stop();
    sim_io_.stop();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  console_env(const console_env&) = delete;
  console_env& operator=(const console_env&) = delete;

  /// Places one call; `done` runs once on an io thread when it is over.
  void start_call(std::function<void(sim::caller_result)> done) {
    sim::caller_options o;
    o.server_url = base_url();
    o.public_url = cfg_.server.public_url;
    o.auth_token = cfg_.twilio.auth_token;
    o.account_sid = cfg_.twilio.account_sid;
    o.to_number = business_number;
    o.script = script_;
    o.clips = clips_.get();
    sim::run_caller(sim_io_.context(), std::move(o), std::move(done));
  }

  app::server& srv() { return *server_; }
  const config& cfg() const { return cfg_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }
  std::string db_path() const { return cfg_.storage.path; }
  boost::asio::io_context& io() { return sim_io_.context(); }

private:
  std::filesystem::path dir_;
  sim::call_script script_;
  net::io_runtime sim_io_{1};
  std::unique_ptr<sim::clip_library> clips_;
  std::shared_ptr<sim::realtime_peer> peer_;
  std::shared_ptr<net::http_server> push_;
  config cfg_;
  std::unique_ptr<app::server> server_;
};

} // namespace sb::console::test
