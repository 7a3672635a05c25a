#include "telephony/twilio_rest_client.hpp"

#define BOOST_TEST_MODULE twilio_rest_client
#include <boost/test/unit_test.hpp>

// The REST client against the stand-in (docs/protocols.md 6), which drives a
// simulated caller: the call waits in a <Pause> until the test updates it.

#include "common/log.hpp"
#include "net/io.hpp"
#include "net/test_ca.hpp"
#include "protocol/base64.hpp"
#include "protocol/twiml.hpp"
#include "sim/caller.hpp"
#include "sim/twilio_rest.hpp"
#include "tests/support/twiml_app.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <future>
#include <sstream>
#include <thread>

using namespace sb;
using namespace std::chrono_literals;
using proto::rest_error_kind;

namespace {

const std::string token = "rest-test-token-0123456789";
const std::string account = "AC00000000000000000000000000000000";
constexpr const char* webhook = "/telephony/realtime-inbound-voice";

/// Everything written to stderr (the log) while it lives.
class stderr_capture {
public:
  stderr_capture() {
    std::fflush(stderr);
    saved_ = ::dup(2);
    int fd = ::open(path_.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0600);
    ::dup2(fd, 2);
    ::close(fd);
  }
  ~stderr_capture() { stop(); }
  std::string stop() {
    if (saved_ >= 0) {
      std::fflush(stderr);
      ::dup2(saved_, 2);
      ::close(saved_);
      saved_ = -1;
    }
    std::ifstream in(path_);
    std::stringstream s;
    s << in.rdbuf();
    std::remove(path_.c_str());
    return s.str();
  }

private:
  std::string path_ = "/tmp/sb-rest-log-" + std::to_string(::getpid());
  int saved_ = -1;
};

/// A loopback port nothing listens on (bound, read, released).
uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  BOOST_REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

struct rest_fixture {
  net::io_runtime io{2};
  sim::clip_library clips = *sim::clip_library::load_default();
  test::twiml_app app{io.context(), token};
  std::shared_ptr<sim::twilio_rest> rest;
  std::future<sim::caller_result> caller;
  std::string call_sid = "CA0123456789abcdef0123456789abcdef";

  explicit rest_fixture(sim::twilio_rest_options o = {}) {
    o.auth_token = token;
    o.account_sid = account;
    auto r = sim::twilio_rest::start(io.context(), std::move(o));
    BOOST_REQUIRE(r.ok());
    rest = *r;
    // The call waits here until the test updates it.
    app.answer(webhook, R"(<Response><Pause length="30"/></Response>)");
  }
  ~rest_fixture() { rest->stop(); }

  telephony::twilio_rest_options client_options(std::string t = token) const {
    telephony::twilio_rest_options o;
    o.base_url = rest->base_url();
    o.account_sid = account;
    o.auth_token = std::move(t);
    o.timeout = 5s;
    return o;
  }

  /// Places the call and waits until the stand-in sees it in progress.
  void place_call() {
    sim::caller_options o;
    o.server_url = app.server_url();
    o.public_url = app.public_url();
    o.auth_token = token;
    o.account_sid = account;
    o.call_sid = call_sid;
    o.to_number = "+15551230000";
    o.clips = &clips;
    o.rest = rest;
    o.max_call_ms = 40'000;
    auto done = std::make_shared<std::promise<sim::caller_result>>();
    caller = done->get_future();
    sim::run_caller(io.context(), o, [done](sim::caller_result r) { done->set_value(r); });
    for (int i = 0; i < 200; ++i) {
      auto c = rest->call(call_sid);
      if (c && c->status == "in-progress" && !c->twiml.empty())
        return;
      std::this_thread::sleep_for(20ms);
    }
    BOOST_FAIL("the call never got in progress");
  }

  sim::caller_result call_result() {
    BOOST_REQUIRE(caller.wait_for(20s) == std::future_status::ready);
    return caller.get();
  }
};

/// Runs one client request and waits for its answer.
template <class Op> proto::rest_result wait_for(Op op) {
  std::promise<proto::rest_result> p;
  op([&](proto::rest_result r) { p.set_value(std::move(r)); });
  auto f = p.get_future();
  BOOST_REQUIRE(f.wait_for(20s) == std::future_status::ready);
  return f.get();
}

using names = std::vector<std::string>;

std::string why(const proto::rest_result& r) {
  return r.ok() ? "" : r.error().describe();
}

} // namespace

BOOST_AUTO_TEST_CASE(an_update_runs_new_twiml_on_the_live_call_and_an_ended_call_is_21220) {
  rest_fixture f;
  f.place_call();
  telephony::twilio_rest_client client(f.io.context(), f.client_options());
  auto r = wait_for(
      [&](auto cb) { client.update_call(f.call_sid, proto::twiml_say_hangup("Moved along"), cb); });
  BOOST_REQUIRE_MESSAGE(r.ok(), why(r));
  BOOST_TEST(r.call().sid == f.call_sid);
  BOOST_TEST(r.call().status == "in-progress");
  auto c = f.call_result();
  BOOST_TEST_INFO("caller error: " << c.error);
  BOOST_TEST(c.ok);
  BOOST_TEST(c.verbs == (names{"Pause", "Say", "Hangup"}));
  BOOST_TEST(c.said == (names{"Moved along"}));
  BOOST_TEST(c.rest_updates == 1);
  BOOST_TEST(c.final_status == "completed");
  auto log = f.rest->requests();
  BOOST_REQUIRE_EQUAL(log.size(), 1u);
  BOOST_TEST(log[0].method == "POST");
  BOOST_TEST(log[0].path == proto::call_path(account, f.call_sid));
  BOOST_TEST(log[0].params.at(0).first == "Twiml");
  BOOST_TEST(log[0].status == 200);

  auto again = wait_for([&](auto cb) { client.update_call(f.call_sid, "<Response/>", cb); });
  BOOST_REQUIRE(!again.ok());
  BOOST_TEST((again.error().kind == rest_error_kind::api));
  BOOST_TEST(again.error().http_status == 400);
  BOOST_TEST(again.error().code == proto::twilio_code::call_not_in_progress);
}

BOOST_AUTO_TEST_CASE(complete_call_hangs_the_call_up) {
  rest_fixture f;
  f.place_call();
  telephony::twilio_rest_client client(f.io.context(), f.client_options());
  auto r = wait_for([&](auto cb) { client.complete_call(f.call_sid, cb); });
  BOOST_REQUIRE_MESSAGE(r.ok(), why(r));
  BOOST_TEST(r.call().status == "completed");
  auto c = f.call_result();
  BOOST_TEST(c.ok);
  BOOST_TEST(c.verbs == (names{"Pause"}));
  BOOST_TEST(f.rest->call(f.call_sid)->status == "completed");
  BOOST_TEST(f.rest->requests().at(0).params.at(0).second == "completed");
}

BOOST_AUTO_TEST_CASE(redirect_call_has_the_call_fetch_its_twiml_signed) {
  rest_fixture f;
  f.app.answer("/next", proto::twiml_say_hangup("Fetched"));
  f.place_call();
  telephony::twilio_rest_client client(f.io.context(), f.client_options());
  auto r =
      wait_for([&](auto cb) { client.redirect_call(f.call_sid, "https://app.example/next", cb); });
  BOOST_REQUIRE_MESSAGE(r.ok(), why(r));
  auto c = f.call_result();
  BOOST_TEST(c.ok);
  BOOST_TEST(c.said == (names{"Fetched"}));
  auto fetched = f.app.request_to("/next");
  BOOST_REQUIRE(fetched.has_value());
  BOOST_TEST(fetched->signature_ok);
  BOOST_TEST(test::param(fetched->params, "CallSid") == f.call_sid);
  BOOST_TEST(f.rest->requests().at(0).params ==
             (proto::form_params{{"Url", "https://app.example/next"}, {"Method", "POST"}}));
}

BOOST_AUTO_TEST_CASE(a_wrong_token_is_20003_an_unknown_call_20404_and_no_log_holds_a_secret) {
  rest_fixture f;
  f.place_call();
  log::set_level(log::level::debug);
  stderr_capture captured;
  telephony::twilio_rest_client good(f.io.context(), f.client_options());
  telephony::twilio_rest_client bad(f.io.context(), f.client_options("not-the-token"));

  auto refused = wait_for([&](auto cb) { bad.complete_call(f.call_sid, cb); });
  BOOST_REQUIRE(!refused.ok());
  BOOST_TEST((refused.error().kind == rest_error_kind::api));
  BOOST_TEST(refused.error().http_status == 401);
  BOOST_TEST(refused.error().code == proto::twilio_code::authenticate);
  BOOST_TEST(f.rest->call(f.call_sid)->status == "in-progress"); // untouched

  auto unknown =
      wait_for([&](auto cb) { good.complete_call("CAffffffffffffffffffffffffffffffff", cb); });
  BOOST_REQUIRE(!unknown.ok());
  BOOST_TEST(unknown.error().http_status == 404);
  BOOST_TEST(unknown.error().code == proto::twilio_code::not_found);
  BOOST_TEST(unknown.error().more_info == "https://www.twilio.com/docs/errors/20404");

  auto moved =
      wait_for([&](auto cb) { good.update_call(f.call_sid, proto::twiml_say_hangup("Bye"), cb); });
  BOOST_TEST(moved.ok());
  BOOST_TEST(f.call_result().ok);
  const std::string log_text = captured.stop();
  log::set_level(log::level::info);

  BOOST_TEST_MESSAGE("log:\n" << log_text);
  BOOST_TEST(log_text.find("TwilioREST") != std::string::npos); // the requests were logged...
  BOOST_TEST(log_text.find("20003") != std::string::npos);
  for (const std::string& secret :
       {token, std::string("not-the-token"), proto::base64_encode(account + ":" + token),
        proto::base64_encode(account + ":not-the-token"), std::string("Basic ")}) {
    BOOST_TEST(log_text.find(secret) == std::string::npos, "the log holds " << secret);
    for (const auto& e : f.rest->requests())
      BOOST_TEST(e.describe().find(secret) == std::string::npos);
  }
  auto log = f.rest->requests();
  BOOST_REQUIRE_EQUAL(log.size(), 3u);
  BOOST_TEST(log[0].status == 401);
  BOOST_TEST(log[1].code == 20404);
  BOOST_TEST(log[2].status == 200);
}

BOOST_AUTO_TEST_CASE(a_stand_in_that_is_down_is_a_connection_error_after_one_retry) {
  net::io_runtime io{1};
  telephony::twilio_rest_options o;
  o.base_url = "http://127.0.0.1:" + std::to_string(free_port());
  o.account_sid = account;
  o.auth_token = token;
  o.retry_delay = 50ms;
  telephony::twilio_rest_client client(io.context(), o);
  stderr_capture captured;
  auto r = wait_for([&](auto cb) { client.complete_call("CA1", cb); });
  const std::string log_text = captured.stop();
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST((r.error().kind == rest_error_kind::connection));
  BOOST_TEST(r.error().http_status == 0);
  BOOST_TEST(r.error().message.rfind("connect: ", 0) == 0u, r.error().message);
  std::size_t retries = 0;
  for (std::size_t p = 0; (p = log_text.find("trying once more", p)) != std::string::npos; ++p)
    ++retries;
  BOOST_TEST(retries == 1u);
}

BOOST_AUTO_TEST_CASE(over_tls_and_unconfigured) {
  auto ca = net::make_test_ca("REST test CA");
  auto cert = net::make_server_cert(ca, {"localhost"}, {"127.0.0.1"});
  sim::twilio_rest_options so;
  so.tls_cert_pem = cert.cert_pem;
  so.tls_key_pem = cert.key_pem;
  rest_fixture f(so);
  BOOST_TEST(f.rest->base_url().rfind("https://127.0.0.1:", 0) == 0u);
  auto o = f.client_options();
  o.ca_pem = ca.cert_pem;
  telephony::twilio_rest_client client(f.io.context(), o);
  auto r = wait_for([&](auto cb) { client.complete_call(f.call_sid, cb); });
  BOOST_TEST(r.error().code == proto::twilio_code::not_found); // an answer, over verified TLS

  o.auth_token.clear();
  telephony::twilio_rest_client unset(f.io.context(), o);
  auto none = wait_for([&](auto cb) { unset.complete_call(f.call_sid, cb); });
  BOOST_TEST((none.error().kind == rest_error_kind::not_configured));
  BOOST_TEST(f.rest->requests().size() == 1u); // nothing was sent
}
