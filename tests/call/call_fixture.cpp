#include "tests/call/call_fixture.hpp"

#include "common/log.hpp"
#include "common/time.hpp"
#include "net/http_server.hpp"
#include "net/io.hpp"
#include "net/test_ca.hpp"
#include "sim/twilio_rest.hpp"
#include "storage/store.hpp"
#include "tests/support/schema_check.hpp"

#include <boost/test/unit_test.hpp>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <random>
#include <stdexcept>
#include <thread>

namespace sb::test {

namespace fs = std::filesystem;

namespace {

/// A loopback port nothing listens on: bound, read, released. The kernel
/// does not hand an ephemeral port out again at once, so it stays free for
/// the test's lifetime in practice.
uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  BOOST_REQUIRE(fd >= 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  BOOST_REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  socklen_t len = sizeof a;
  BOOST_REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
  ::close(fd);
  return ntohs(a.sin_port);
}

template <class T> T must(result<T> r, const char* what) {
  if (!r)
    BOOST_FAIL(std::string{what} + ": " + r.err().message);
  return std::move(*r);
}

std::unique_ptr<storage::store> open_db(const std::string& path) {
  return must(storage::store::open(path), "open the store");
}

} // namespace

e2e_env::e2e_env(e2e_options options) : options_(std::move(options)) {
  if (std::getenv("E2E_LOG") == nullptr)
    log::set_level(log::level::off);
  char tmpl[] = "/tmp/switchboard-e2e-XXXXXX";
  BOOST_REQUIRE(mkdtemp(tmpl) != nullptr);
  dir_ = tmpl;
  db_path_ = options_.database.empty() ? dir_ + "/switchboard.db" : options_.database;
  std::mt19937_64 rng{std::random_device{}()};
  auth_token_ = "e2e-token-" + std::to_string(rng());
  clips_ = must(sim::clip_library::load_default(), "speech clips");
  io_ = std::make_unique<net::io_runtime>(2);

  // -- the simulated OpenAI, over TLS --
  auto ca = net::make_test_ca("Switchboard e2e CA");
  auto cert = net::make_server_cert(ca, {"localhost"}, {"127.0.0.1"});
  ca_file_ = dir_ + "/trusted-ca.pem";
  // An untrusted peer: the server trusts a CA that did not sign the peer.
  std::ofstream{ca_file_} << (options_.trust_peer ? ca.cert_pem
                                                  : net::make_test_ca("Some other CA").cert_pem);
  sim::peer_options po;
  po.tls_cert_pem = cert.cert_pem;
  po.tls_key_pem = cert.key_pem;
  po.clips = clips_;
  po.scripts = options_.scripts;
  po.drop_after_responses = options_.drop_after_responses;
  po.drop_with_reset = options_.drop_with_reset;
  po.refuse_connections = options_.refuse_connections;
  po.send_garbage_after_session = options_.send_garbage_after_session;
  po.garbage_frames = options_.garbage_frames;
  po.fixed_usage = options_.fixed_usage;
  po.analysis = options_.analysis;
  if (options_.tune_peer)
    options_.tune_peer(po);
  peer_ = must(sim::realtime_peer::start(io_->context(), std::move(po)), "realtime peer");

  // -- the business's push endpoint --
  push_port_ = free_port();
  if (options_.push_endpoint_up)
    start_push_endpoint();

  // -- the tenant --
  {
    auto db = open_db(db_path_);
    storage::tenant t;
    t.number = tenant_number;
    t.name = "Bright Plumbing";
    t.greeting = tenant_greeting;
    t.context = "A family plumbing business: leaks, blocked drains, water heaters.";
    t.hours = "mon-sun 00:00-23:59";
    t.push_url = "http://127.0.0.1:" + std::to_string(push_port_) + "/push";
    // Many callers book the scripts' one time at once here; a slot's
    // capacity (issue 17.6) is tested on its own (capacity_test,
    // slot_capacity_test, tools_holds_test), so this business takes them all.
    t.slot_capacity = 1000;
    if (options_.tenant)
      options_.tenant(t);
    if (auto r = db->add_tenant(t); !r)
      BOOST_FAIL("add tenant: " + r.err().message);
  }

  // -- the server --
  cfg_.server.bind_address = "127.0.0.1";
  cfg_.server.port = 0;
  cfg_.server.public_url = "https://switchboard.e2e.invalid";
  cfg_.server.shutdown_grace = 1000ms;
  cfg_.twilio.auth_token = auth_token_;
  cfg_.twilio.account_sid = "AC00000000000000000000000000000000";
  cfg_.openai.api_key = "e2e-key";
  cfg_.openai.realtime_url = peer_->url();
  cfg_.openai.ca_file = ca_file_;
  cfg_.storage.path = db_path_;
  cfg_.notifier.poll_interval = 200ms;
  cfg_.notifier.initial_backoff = 200ms;
  cfg_.notifier.max_backoff = 1000ms;
  cfg_.notifier.request_timeout = 2000ms;
  if (options_.rest_standin) {
    sim::twilio_rest_options ro;
    ro.auth_token = options_.rest_auth_token.empty() ? auth_token_ : options_.rest_auth_token;
    rest_ = must(sim::twilio_rest::start(io_->context(), ro), "REST stand-in");
    cfg_.twilio.rest_base_url = rest_->base_url();
    cfg_.twilio.account_sid = rest_->account_sid();
  }
  // A lost stream is finalized at once unless a test turns resuming on
  // (actors/call_resume.hpp): the caller here does not come back.
  cfg_.resume.grace = std::chrono::milliseconds{0};
  if (options_.tune)
    options_.tune(cfg_);
  if (options_.start_server)
    start_server();
}

e2e_env::~e2e_env() {
  if (server_)
    stop_server();
  peer_->stop();
  if (rest_)
    rest_->stop();
  io_->stop();
  std::error_code ec;
  if (std::getenv("E2E_KEEP") == nullptr)
    fs::remove_all(dir_, ec);
}

void e2e_env::start_server() {
  server_ = must(app::server::start(cfg_), "server start");
}

void e2e_env::stop_server() {
  server_->shutdown();
  server_.reset();
}

boost::asio::io_context& e2e_env::io() {
  return io_->context();
}

std::string e2e_env::server_url() const {
  if (!server_)
    return external_url_;
  return "http://127.0.0.1:" + std::to_string(server_->port());
}

void e2e_env::start_push_endpoint() {
  net::http_server_options o;
  o.port = push_port_;
  net::http_handlers h;
  h.on_request = [this](net::http_request req, net::responder respond) {
    {
      std::lock_guard lock(push_mu_);
      pushes_.push_back(req.body);
    }
    respond(net::http_response::json(200, R"({"ok":true})"));
  };
  push_server_ = must(net::http_server::start(io_->context(), o, std::move(h)), "push endpoint");
}

std::vector<std::string> e2e_env::pushes() const {
  std::lock_guard lock(push_mu_);
  return pushes_;
}

bool e2e_env::wait_for_pushes(std::size_t n, std::chrono::milliseconds bound) {
  return eventually([&] { return pushes().size() >= n; }, bound, 50ms);
}

sim::caller_options e2e_env::caller_for(const sim::call_script& script) const {
  sim::caller_options o;
  o.server_url = server_url();
  o.public_url = cfg_.server.public_url;
  o.auth_token = auth_token_;
  o.account_sid = cfg_.twilio.account_sid;
  o.to_number = tenant_number;
  o.script = script;
  o.clips = &clips_;
  o.max_call_ms = 80'000;
  o.rest = rest_;
  if (std::getenv("E2E_LOG"))
    o.on_event = [n = script.caller_number](const std::string& line) {
      log::info("caller " + n, line);
    };
  return o;
}

std::future<sim::caller_result> e2e_env::start_call(sim::caller_options options) {
  auto done = std::make_shared<std::promise<sim::caller_result>>();
  auto f = done->get_future();
  sim::run_caller(io_->context(), std::move(options),
                  [done](sim::caller_result r) { done->set_value(std::move(r)); });
  return f;
}

sim::caller_result e2e_env::call(sim::caller_options options, std::chrono::seconds bound) {
  auto f = start_call(std::move(options));
  BOOST_REQUIRE_MESSAGE(f.wait_for(bound) == std::future_status::ready,
                        "the call did not end within " << bound.count() << " s");
  return f.get();
}

std::vector<sim::caller_result> e2e_env::call_all(const std::vector<sim::call_script>& scripts,
                                                  std::chrono::milliseconds stagger,
                                                  std::chrono::seconds bound) {
  std::vector<sim::caller_options> callers;
  for (const auto& s : scripts)
    callers.push_back(caller_for(s));
  return call_all(std::move(callers), stagger, bound);
}

std::vector<sim::caller_result> e2e_env::call_all(std::vector<sim::caller_options> callers,
                                                  std::chrono::milliseconds stagger,
                                                  std::chrono::seconds bound) {
  std::vector<std::future<sim::caller_result>> futures;
  for (auto& c : callers) {
    auto done = std::make_shared<std::promise<sim::caller_result>>();
    futures.push_back(done->get_future());
    sim::run_caller(io_->context(), std::move(c),
                    [done](sim::caller_result r) { done->set_value(std::move(r)); });
    std::this_thread::sleep_for(stagger);
  }
  auto deadline = std::chrono::steady_clock::now() + bound;
  std::vector<sim::caller_result> out;
  for (auto& f : futures) {
    BOOST_REQUIRE_MESSAGE(f.wait_until(deadline) == std::future_status::ready,
                          "not every call ended within " << bound.count() << " s");
    out.push_back(f.get());
  }
  return out;
}

bool e2e_env::wait_for_no_calls(std::chrono::milliseconds bound) {
  return eventually([&] { return server_->active_calls() == 0; }, bound, 50ms);
}

std::optional<storage::call_record> e2e_env::call_record(const std::string& call_sid) const {
  return must(open_db(db_path_)->get_call(call_sid), "get_call");
}

std::optional<storage::job> e2e_env::job(const std::string& call_sid) const {
  return must(open_db(db_path_)->job_for_call(call_sid), "job_for_call");
}

std::vector<storage::transcript_turn> e2e_env::turns(const std::string& call_sid) const {
  return must(open_db(db_path_)->turns_for(call_sid), "turns_for");
}

std::vector<storage::outbox_entry> e2e_env::outbox() const {
  return must(open_db(db_path_)->list_outbox(), "list_outbox");
}

std::vector<storage::call_record> e2e_env::calls() const {
  return must(open_db(db_path_)->list_calls(1000), "list_calls");
}

// -- scripts ------------------------------------------------------------------

sim::script_turn make_turn(std::string caller_text, std::string caller_clip,
                           std::vector<sim::scripted_function_call> calls, std::string reply_text,
                           std::string reply_clip) {
  sim::script_turn t;
  t.caller_text = std::move(caller_text);
  t.caller_clip = std::move(caller_clip);
  t.calls = std::move(calls);
  t.reply_text = std::move(reply_text);
  t.reply_clip = std::move(reply_clip);
  return t;
}

sim::scripted_function_call full_booking(const std::string& customer, const std::string& address,
                                         const std::string& phone) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  w.StartObject();
  auto kv = [&](const char* k, const std::string& v) {
    w.Key(k);
    w.String(v);
  };
  kv("customer_name", customer);
  kv("address", address);
  kv("service", "Leaking kitchen sink");
  kv("preferred_date", "2030-01-02");
  kv("preferred_time", "10:00");
  kv("callback_phone", phone);
  kv("urgency", "urgent");
  w.EndObject();
  return {"record_booking_details", sb.GetString()};
}

sim::call_script short_booking_script(const std::string& caller_number, const std::string& customer,
                                      const std::string& address,
                                      const std::string& greeting_clip) {
  sim::call_script s;
  s.caller_number = caller_number;
  s.greeting_clip = greeting_clip;
  s.assistant_hangs_up = true;
  s.turns.push_back(make_turn("Hi, my kitchen sink is leaking under the cabinet.", "caller_1",
                              {full_booking(customer, address, caller_number)},
                              "You're welcome. Goodbye!", "reply_4"));
  return s;
}

std::vector<std::pair<std::string, std::string>> expected_booking(const sim::call_script& script) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& t : script.turns)
    for (const auto& c : t.calls) {
      if (c.name != "record_booking_details")
        continue;
      rapidjson::Document d;
      d.Parse(c.arguments_json.c_str());
      BOOST_REQUIRE(d.IsObject());
      for (const auto& m : d.GetObject()) {
        std::string k = m.name.GetString(), v = m.value.GetString();
        auto it = std::find_if(out.begin(), out.end(), [&](auto& p) { return p.first == k; });
        if (it == out.end())
          out.emplace_back(k, v);
        else
          it->second = v;
      }
    }
  return out;
}

std::string booking_field(const storage::booking& b, const std::string& name) {
  if (name == "customer_name")
    return b.customer_name;
  if (name == "callback_phone")
    return b.callback_phone;
  if (name == "service")
    return b.service;
  if (name == "address")
    return b.address;
  if (name == "preferred_date")
    return b.preferred_date;
  if (name == "preferred_time")
    return b.preferred_time;
  if (name == "urgency")
    return b.urgency;
  if (name == "notes")
    return b.notes;
  throw std::invalid_argument("no booking field " + name);
}

// -- the OpenAI schema ----------------------------------------------------------

std::string first_invalid_client_event(const std::vector<std::string>& frames) {
  const auto& schema = realtime_schema::instance();
  for (std::size_t i = 0; i < frames.size(); ++i) {
    auto why = schema.check_client_event(frames[i]);
    if (!why.empty()) {
      std::string text = frames[i].size() > 400 ? frames[i].substr(0, 400) + "..." : frames[i];
      return "client event #" + std::to_string(i) + ": " + why + "\n  event: " + text;
    }
  }
  return {};
}

std::string event_type(const std::string& frame) {
  rapidjson::Document d;
  d.Parse(frame.c_str(), frame.size());
  if (d.HasParseError() || !d.IsObject() || !d.HasMember("type") || !d["type"].IsString())
    return {};
  return d["type"].GetString();
}

int count_events(const std::vector<std::string>& frames, const std::string& type) {
  return static_cast<int>(std::count_if(frames.begin(), frames.end(),
                                        [&](const auto& f) { return event_type(f) == type; }));
}

} // namespace sb::test
