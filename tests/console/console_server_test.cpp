// The console against the real server with simulated calls (real sockets,
// real speech, the simulated Realtime peer): authentication, the live feed,
// ending a call, `switchboard top`'s view, and /metrics against a scripted call.
#define BOOST_TEST_MODULE console_server // before any Boost.Test include: main() lives here
#include "console/routes.hpp"

#include "console/login_throttle.hpp"
#include "console/top.hpp"
#include "storage/store.hpp"
#include "tests/console/console_client.hpp"
#include "tests/console/console_env.hpp"
#include "tests/console/exposition.hpp"

#include <boost/test/unit_test.hpp>

#include <future>
#include <sstream>
#include <thread>

using namespace sb;
using namespace sb::console::test;

namespace {

constexpr const char* token = "operator-token-for-tests-0123456789";

struct quiet {
  quiet() { log::set_level(log::level::off); }
};

/// The call placed in `env`, run to its end (at most `limit`).
sim::caller_result run_call(console_env& env, std::chrono::seconds limit = 150s) {
  auto p = std::make_shared<std::promise<sim::caller_result>>();
  auto f = p->get_future();
  env.start_call([p](sim::caller_result r) { p->set_value(std::move(r)); });
  BOOST_REQUIRE_MESSAGE(f.wait_for(limit) == std::future_status::ready, "the call did not finish");
  return f.get();
}

std::string str(const rapidjson::Value& v, const char* k) {
  return v[k].GetString();
}

/// Polls the registry (up to 5 s) until no call is active. A call shows as
/// finished (feed, database) before its supervisor exits; the registry drops
/// it, and lowers the active-calls gauge, only on the supervisor's down
/// message a moment later (actors/call_supervisor.cpp finalize_call, then
/// actors/call_tracking.cpp on_supervisor_down).
bool no_active_calls(console_env& env) {
  return eventually([&] { return env.srv().active_calls() == 0; }, 5s, 50ms);
}

} // namespace

BOOST_GLOBAL_FIXTURE(quiet);

BOOST_AUTO_TEST_CASE(console_and_metrics_are_disabled_without_a_token) {
  console_env env{"", booking_script()};
  BOOST_TEST(request(env.io(), "GET", env.base_url() + "/console").status == 404);
  BOOST_TEST(request(env.io(), "POST", env.base_url() + "/console/login", "", "token=").status ==
             404);
  BOOST_TEST(request(env.io(), "GET", env.base_url() + "/metrics").status == 404);
  feed_client feed{env.io(), env.base_url(), ""};
  BOOST_TEST(feed.status == 404);
}

BOOST_AUTO_TEST_CASE(refuses_page_feed_actions_and_metrics_without_a_session) {
  console_env env{token, booking_script()};
  auto base = env.base_url();
  auto page = request(env.io(), "GET", base + "/console");
  BOOST_TEST(page.status == 401);
  BOOST_TEST(page.body.find("action=\"/console/login\"") != std::string::npos); // the login form
  BOOST_TEST(page.body.find("/console/app.js") == std::string::npos);           // not the console
  BOOST_TEST(request(env.io(), "POST", base + "/console/calls/CA1/end").status == 401);
  BOOST_TEST(request(env.io(), "GET", base + "/metrics").status == 401);
  BOOST_TEST(request(env.io(), "GET", base + "/console", "forged-session-id").status == 401);
  feed_client anonymous{env.io(), base, ""};
  BOOST_TEST(anonymous.status == 401);
  feed_client forged{env.io(), base, "0123456789abcdef"};
  BOOST_TEST(forged.status == 401);
  auto wrong = request(env.io(), "POST", base + "/console/login", "", "token=not-the-token");
  BOOST_TEST(wrong.status == 401);
  BOOST_TEST(header_of(wrong, "Set-Cookie").empty());
}

BOOST_AUTO_TEST_CASE(wrong_logins_from_one_address_are_slowed_down_even_with_the_right_token) {
  console_env env{token, booking_script()};
  auto base = env.base_url();
  for (int i = 0; i < sb::console::login_throttle::free_failures; ++i)
    BOOST_TEST(request(env.io(), "POST", base + "/console/login", "", "token=guess").status == 401);
  // The next failure imposes the first delay; within it even the right
  // token is refused unread (429, Retry-After).
  BOOST_TEST(request(env.io(), "POST", base + "/console/login", "", "token=guess").status == 401);
  auto refused =
      request(env.io(), "POST", base + "/console/login", "", std::string{"token="} + token);
  BOOST_TEST(refused.status == 429);
  BOOST_TEST(header_of(refused, "Retry-After") == "1");
  BOOST_TEST(header_of(refused, "Set-Cookie").empty());
  std::this_thread::sleep_for(1100ms); // the first delay, 1 s, is over
  auto ok = request(env.io(), "POST", base + "/console/login", "", std::string{"token="} + token);
  BOOST_TEST(ok.status == 303);
}

BOOST_AUTO_TEST_CASE(login_sets_an_httponly_samesite_session_cookie_that_opens_the_console) {
  console_env env{token, booking_script()};
  auto base = env.base_url();
  auto r = request(env.io(), "POST", base + "/console/login", "", std::string{"token="} + token);
  BOOST_TEST(r.status == 303);
  BOOST_TEST(header_of(r, "Location") == "/console");
  auto cookie = header_of(r, "Set-Cookie");
  BOOST_TEST(cookie.find("HttpOnly") != std::string::npos);
  BOOST_TEST(cookie.find("SameSite=Strict") != std::string::npos);
  BOOST_TEST(cookie.find(token) == std::string::npos); // a session id, not the token
  auto session = login(env.io(), base, token);
  auto page = request(env.io(), "GET", base + "/console", session);
  BOOST_TEST(page.status == 200);
  BOOST_TEST(header_of(page, "Content-Type").find("text/html") == 0u);
  BOOST_TEST(page.body.find("/console/app.js") != std::string::npos);
  BOOST_TEST(request(env.io(), "GET", base + "/metrics", session).status == 200);
  auto bearer = request(env.io(), "GET", base + "/metrics", "", "",
                        {{"Authorization", std::string{"Bearer "} + token}});
  BOOST_TEST(bearer.status == 200);
  BOOST_TEST(header_of(bearer, "Content-Type").find("text/plain; version=0.0.4") == 0u);
  feed_client feed{env.io(), base, session};
  BOOST_TEST(feed.status == 0);
  BOOST_TEST(!feed.wait_for([](const rapidjson::Document& d) { return d["calls"].Size() == 0; }, 5s)
                  .empty());
  // Logging out ends the session.
  request(env.io(), "POST", base + "/console/logout", session);
  BOOST_TEST(request(env.io(), "GET", base + "/console", session).status == 401);
}

namespace {

/// Live: the call with its actor tree alive and its words arriving.
void check_live_call(feed_client& feed, const std::string& sid) {
  auto live = feed.wait_for(
      [&](const rapidjson::Document& d) {
        auto* c = find_call(d["calls"], sid);
        if (!c)
          return false;
        auto* openai = find_actor(*c, "openai_socket");
        auto* twilio = find_actor(*c, "twilio_socket");
        return openai && (*openai)["alive"].GetBool() && twilio && (*twilio)["alive"].GetBool() &&
               (*openai)["messagesIn"].GetInt64() > 0 && (*c)["lines"].Size() > 0;
      },
      1s);
  BOOST_TEST(!live.empty());
  auto caller_line = feed.wait_for(
      [&](const rapidjson::Document& d) {
        auto* c = find_call(d["calls"], sid);
        if (!c)
          return false;
        for (const auto& l : (*c)["lines"].GetArray())
          if (str(l, "kind") == "caller" &&
              str(l, "text").find("kitchen sink") != std::string::npos)
            return true;
        return false;
      },
      1s);
  BOOST_TEST(!caller_line.empty());
}

/// Finished: the job card, and the call gone from the active list; no
/// frame ever carried the token. Returns the cost the console showed.
double check_finished_call(feed_client& feed, const std::string& sid) {
  auto done = feed.wait_for(
      [&](const rapidjson::Document& d) {
        return find_call(d["finished"], sid) != nullptr && !find_call(d["calls"], sid);
      },
      15s);
  BOOST_REQUIRE(!done.empty());
  rapidjson::Document d;
  d.Parse(done.c_str());
  const auto& fin = *find_call(d["finished"], sid);
  BOOST_TEST(str(fin, "endReason") == "assistant_hangup");
  BOOST_TEST(fin["jobId"].GetInt64() > 0);
  BOOST_TEST(str(fin["booking"], "customerName") == "Jane Doe");
  BOOST_TEST(fin["costUsd"].GetDouble() > 0);
  for (const auto& f : feed.frames())
    BOOST_TEST(f.find(token) == std::string::npos);
  return fin["costUsd"].GetDouble();
}

/// /metrics against the stored call record and what the caller sent and heard.
void check_metrics(console_env& env, const std::string& session, const sim::caller_result& result,
                   double console_cost) {
  const auto base = env.base_url();
  const auto& sid = result.call_sid;
  auto db = storage::store::open(env.db_path());
  BOOST_REQUIRE(db.ok());
  auto call = (*db)->get_call(sid);
  BOOST_REQUIRE(call.ok() && call->has_value());
  const auto& rec = **call;
  // The console shows the cost stored on the call: priced once, not again.
  BOOST_TEST(console_cost == rec.cost_usd, boost::test_tools::tolerance(1e-12));
  auto turns = (*db)->turns_for(sid);
  BOOST_REQUIRE(turns.ok());
  int timed_turns = 0;
  for (const auto& t : *turns)
    timed_turns += t.latency_ms >= 0 ? 1 : 0;

  BOOST_REQUIRE_MESSAGE(no_active_calls(env), "the finished call still counts as active");
  auto m = request(env.io(), "GET", base + "/metrics", session);
  BOOST_REQUIRE_EQUAL(m.status, 200);
  auto e = parse_exposition(m.body);
  BOOST_TEST(e.get(R"(switchboard_active_calls{node="node-1"})") == 0);
  BOOST_TEST(e.get(R"(switchboard_calls_ended_total{node="node-1",reason="assistant_hangup"})") ==
             1);
  BOOST_TEST(
      e.get(
          R"(switchboard_tool_calls_total{node="node-1",name="record_booking_details",outcome="ok"})") ==
      3);
  BOOST_TEST(
      e.get(
          R"(switchboard_tool_calls_total{node="node-1",name="check_availability",outcome="ok"})") ==
      1);
  BOOST_TEST(e.get(R"(switchboard_tool_calls_total{node="node-1",name="end_call",outcome="ok"})") ==
             1);
  BOOST_TEST(
      e.get(
          R"(switchboard_tool_call_duration_seconds_count{node="node-1",name="record_booking_details"})") ==
      3);
  BOOST_TEST(e.get(R"(switchboard_barge_ins_total{node="node-1"})") == rec.barge_ins);
  BOOST_TEST(e.get(R"(switchboard_openai_reconnects_total{node="node-1"})") ==
             rec.openai_reconnects);
  BOOST_TEST(e.get(R"(switchboard_tokens_total{node="node-1",kind="output_audio"})", 0) ==
             rec.usage.output_audio);
  BOOST_TEST(e.get(R"(switchboard_tokens_total{node="node-1",kind="input_audio"})", 0) ==
             rec.usage.input_audio);
  BOOST_TEST(e.get(R"(switchboard_tokens_total{node="node-1",kind="output_text"})", 0) ==
             rec.usage.output_text);
  BOOST_TEST(rec.usage.output_audio > 0);
  BOOST_TEST(timed_turns == 4); // four caller utterances, each answered
  BOOST_TEST(e.get(R"(switchboard_turn_latency_seconds_count{node="node-1"})") == timed_turns);
  // The one call's job card, stored after its end (analysis included).
  BOOST_TEST(e.get(R"(switchboard_job_card_latency_seconds_count{node="node-1"})") == 1);
  BOOST_TEST(e.get(R"(switchboard_job_card_latency_seconds_sum{node="node-1"})") > 0);
  double up =
      e.get(R"(switchboard_audio_bytes_relayed_total{node="node-1",direction="caller_to_openai"})");
  double down =
      e.get(R"(switchboard_audio_bytes_relayed_total{node="node-1",direction="openai_to_caller"})");
  BOOST_TEST(up > 0);
  BOOST_TEST(up >= result.bytes_sent); // the caller's speech, and the silence between
  BOOST_TEST(down >= result.bytes_received);
  BOOST_TEST(down > 0);
  BOOST_TEST(
      e.get(
          R"(switchboard_relay_latency_seconds_count{node="node-1",direction="caller_to_openai"})") >
      0);
  BOOST_TEST(
      e.get(
          R"(switchboard_relay_latency_seconds_count{node="node-1",direction="openai_to_caller"})") >
      0);
}

} // namespace

BOOST_AUTO_TEST_CASE(feed_and_metrics_match_what_a_scripted_call_did) {
  console_env env{token, booking_script()};
  auto base = env.base_url();
  auto session = login(env.io(), base, token);
  feed_client feed{env.io(), base, session};
  BOOST_REQUIRE_EQUAL(feed.status, 0);
  auto result = run_call(env);
  BOOST_REQUIRE_MESSAGE(result.ok, "call failed: " << result.error);
  auto sid = result.call_sid;

  check_live_call(feed, sid);
  double cost = check_finished_call(feed, sid);
  check_metrics(env, session, result, cost);
}

BOOST_AUTO_TEST_CASE(an_operator_ends_a_live_call_and_top_shows_it_first) {
  console_env env{token, booking_script(60'000)}; // the caller lingers before its goodbye
  auto base = env.base_url();
  auto session = login(env.io(), base, token);
  feed_client feed{env.io(), base, session};
  auto p = std::make_shared<std::promise<sim::caller_result>>();
  auto f = p->get_future();
  env.start_call([p](sim::caller_result r) { p->set_value(std::move(r)); });
  // Booked and lingering: the third reply has been said.
  auto booked = feed.wait_for(
      [](const rapidjson::Document& d) {
        return d["calls"].Size() == 1 &&
               str(d["calls"][0]["booking"], "preferredTime") == "10:00" &&
               d["calls"][0]["turns"].GetInt() >= 6;
      },
      90s);
  BOOST_REQUIRE(!booked.empty());
  rapidjson::Document d;
  d.Parse(booked.c_str());
  std::string sid = str(d["calls"][0], "callSid");

  // `switchboard top`'s view of the same call.
  console::top_options topt;
  topt.url = base;
  topt.token = token;
  topt.once = true;
  std::ostringstream out, err;
  BOOST_TEST(console::run_top(topt, out, err) == 0);
  BOOST_TEST(out.str().find(sid) != std::string::npos, out.str());
  BOOST_TEST(out.str().find("openai_socket") != std::string::npos);
  BOOST_TEST(out.str().find("in_progress") != std::string::npos);
  topt.token = "wrong";
  std::ostringstream out2, err2;
  BOOST_TEST(console::run_top(topt, out2, err2) == 2);

  auto end = request(env.io(), "POST", base + "/console/calls/" + sid + "/end", session);
  BOOST_TEST(end.status == 202);
  BOOST_REQUIRE(f.wait_for(30s) == std::future_status::ready);
  auto fin = feed.wait_for(
      [&](const rapidjson::Document& d) { return find_call(d["finished"], sid) != nullptr; }, 15s);
  BOOST_REQUIRE(!fin.empty());
  rapidjson::Document fd;
  fd.Parse(fin.c_str());
  BOOST_TEST(str(*find_call(fd["finished"], sid), "endReason") == "operator_hangup");
  auto db = storage::store::open(env.db_path());
  auto call = (*db)->get_call(sid);
  BOOST_REQUIRE(call.ok() && call->has_value());
  BOOST_TEST((**call).end_reason == sb::end_reason::operator_hangup);
  // Once the registry has dropped it, ending it again finds no call.
  BOOST_REQUIRE_MESSAGE(no_active_calls(env), "the ended call is still live");
  BOOST_TEST(request(env.io(), "POST", base + "/console/calls/" + sid + "/end", session).status ==
             404);
  auto e = parse_exposition(request(env.io(), "GET", base + "/metrics", session).body);
  BOOST_TEST(e.get(R"(switchboard_calls_ended_total{node="node-1",reason="operator_hangup"})") ==
             1);
}

BOOST_AUTO_TEST_CASE(metrics_on_their_own_port_need_no_token_and_leave_the_main_port) {
  console_env env{token, booking_script(), [](config& c) {
                    c.console.metrics_own_port = true;
                    c.console.metrics_port = 0;
                  }};
  BOOST_REQUIRE(env.srv().metrics_port() != 0);
  auto m = request(env.io(), "GET",
                   "http://127.0.0.1:" + std::to_string(env.srv().metrics_port()) + "/metrics");
  BOOST_TEST(m.status == 200);
  BOOST_TEST(parse_exposition(m.body).types.count("switchboard_active_calls") == 1u);
  auto main_port = request(env.io(), "GET", env.base_url() + "/metrics", "", "",
                           {{"Authorization", std::string{"Bearer "} + token}});
  BOOST_TEST(main_port.status == 404);
}
