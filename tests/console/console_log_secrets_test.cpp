// Issue 15: a whole demo-style call with both debug switches on and JSON
// logs, the operator using the console throughout (a wrong login, a login,
// the live feed, /metrics by bearer token, `switchboard top`, the logout),
// and no secret in any line logged: not the Twilio auth token, not the
// OpenAI API key, not the console token. Each is set to a value found
// nowhere else. `switchboard demo` cannot be used: it sets its own secrets
// (app/demo.cpp) and has no console. The log is captured through log::set_sink.
#define BOOST_TEST_MODULE console_log_secrets
#include "tests/console/console_client.hpp"
#include "tests/console/console_env.hpp"

#include "common/log.hpp"
#include "console/top.hpp"

#include <boost/test/unit_test.hpp>

#include <rapidjson/document.h>

#include <future>
#include <mutex>
#include <sstream>
#include <vector>

using namespace sb;
using namespace sb::console::test;

namespace {

const std::string auth_token = "TwilioSecretTok3n-7f1c9e";
const std::string api_key = "sk-OpenAISecretKey-52b0d4";
const std::string console_token = "ConsoleSecretTok3n-a83e61";

/// The log's lines, from every thread, for as long as it lives.
class captured_log {
public:
  captured_log() {
    log::set_sink([this](std::string_view l) {
      std::lock_guard g{mu_};
      lines_.emplace_back(l);
    });
  }
  ~captured_log() {
    log::set_sink({});
    log::set_format(log::format::text);
  }
  std::vector<std::string> lines() const {
    std::lock_guard g{mu_};
    return lines_;
  }

private:
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
};

/// What an operator does while the call runs.
void use_the_console(console_env& env) {
  auto base = env.base_url();
  auto& io = env.io();
  BOOST_TEST(request(io, "POST", base + "/console/login", "", "token=" + auth_token).status == 401);
  auto session = login(io, base, console_token);
  feed_client feed{io, base, session};
  BOOST_TEST(feed.status == 0);
  auto bearer =
      request(io, "GET", base + "/metrics", "", "", {{"Authorization", "Bearer " + console_token}});
  BOOST_TEST(bearer.status == 200);
  BOOST_TEST(feed.wait_for([](const rapidjson::Document& d) { return d["calls"].Size() == 1; },
                           60s) != "");
  console::top_options topt;
  topt.url = base;
  topt.token = console_token;
  topt.once = true;
  std::ostringstream out, err;
  BOOST_TEST(console::run_top(topt, out, err) == 0, err.str());
  BOOST_TEST(request(io, "POST", base + "/console/logout", session).status == 303);
}

} // namespace

BOOST_AUTO_TEST_CASE(no_secret_in_any_log_line_of_a_debug_logged_call) {
  captured_log cap;
  {
    console_env env{console_token, booking_script(), [](config& c) {
                      c.twilio.auth_token = auth_token;
                      c.openai.api_key = api_key;
                      c.debug.realtime = true;
                      c.debug.twilio = true;
                      c.log.format = log::format::json;
                    }};
    log::set_level(log::level::info);
    auto p = std::make_shared<std::promise<sim::caller_result>>();
    auto f = p->get_future();
    env.start_call([p](sim::caller_result r) { p->set_value(std::move(r)); });
    use_the_console(env);
    BOOST_REQUIRE(f.wait_for(150s) == std::future_status::ready);
    auto r = f.get();
    BOOST_REQUIRE_MESSAGE(r.ok, "call failed: " << r.error);
  } // the server's shutdown logs too
  log::set_level(log::level::off);
  auto lines = cap.lines();
  int realtime = 0, twilio = 0;
  for (const auto& l : lines) {
    BOOST_TEST_INFO("line: " << l.substr(0, 300));
    realtime += l.find(R"("component":"RealtimeServer")") != std::string::npos;
    twilio += l.find(R"("component":"TwilioStream")") != std::string::npos;
    for (const auto* secret : {&auth_token, &api_key, &console_token})
      BOOST_TEST(l.find(*secret) == std::string::npos);
  }
  BOOST_TEST_MESSAGE(lines.size() << " lines, " << realtime << " Realtime, " << twilio
                                  << " Media Stream");
  BOOST_TEST(realtime > 50); // the switches were on: every event was logged
  BOOST_TEST(twilio > 50);
}
