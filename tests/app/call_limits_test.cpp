// Call limits at the webhook (issue "Every caller gets through", items 3 and
// 5): over a per-tenant or server limit a caller is offered voicemail (or,
// with limits.over_limit_voicemail off, hears the busy message): TwiML, HTTP
// 200, and nothing is spawned; a caller sent to voicemail is stored (end
// reason over_limit) for the recording to find; exactly the cap is admitted when many
// webhooks arrive at once; a Twilio retry of an admitted call is not counted
// twice; a finished call frees its place.
#define BOOST_TEST_MODULE call_limits
#include "tests/app/app_fixture.hpp"

#include <boost/test/unit_test.hpp>

#include <future>
#include <vector>

namespace {

using namespace sb::app::test;

bool rings_through(const sb::net::http_client_result& r) {
  return r.status == 200 && r.body.find("<Connect><Stream") != std::string::npos;
}

/// Offered voicemail: the prompt and <Record>, no stream.
bool busy(const sb::net::http_client_result& r) {
  return r.status == 200 && r.body.find("<Record ") != std::string::npos &&
         r.body.find(sb::config{}.voicemail.prompt) != std::string::npos &&
         r.body.find("<Connect>") == std::string::npos;
}

bool busy_message(const sb::net::http_client_result& r) {
  return r.status == 200 && r.body.find("all of our lines are busy") != std::string::npos &&
         r.body.find("<Hangup/>") != std::string::npos &&
         r.body.find("<Record") == std::string::npos;
}

std::string sid(int i) {
  std::string n = std::to_string(i);
  return "CA" + std::string(32 - n.size(), '0') + n;
}

/// Sends `n` signed webhooks at once (distinct CallSids) and waits for all.
std::vector<sb::net::http_client_result> flood(test_server& s, int n, int first = 0) {
  std::vector<std::future<sb::net::http_client_result>> pending;
  for (int i = first; i < first + n; ++i)
    pending.push_back(s.post_form_async(inbound_path, inbound_form(sid(i))));
  std::vector<sb::net::http_client_result> out;
  for (auto& f : pending) {
    BOOST_REQUIRE(f.wait_for(20s) == std::future_status::ready);
    out.push_back(f.get());
  }
  return out;
}

int count(const std::vector<sb::net::http_client_result>& rs,
          bool (*pred)(const sb::net::http_client_result&)) {
  int n = 0;
  for (const auto& r : rs)
    n += pred(r) ? 1 : 0;
  return n;
}

/// GET /metrics from the server's own metrics port (console.metrics_own_port).
std::string metrics_text(test_server& s) {
  sb::net::http_client_request r;
  r.method = "GET";
  r.url = "http://127.0.0.1:" + std::to_string(s.srv().metrics_port()) + "/metrics";
  r.content_type.clear();
  auto res = s.send(std::move(r));
  BOOST_REQUIRE_EQUAL(res.status, 200);
  return res.body;
}

void own_metrics_port(sb::config& c) {
  c.console.metrics_own_port = true;
  c.console.metrics_port = 0;
}

} // namespace

BOOST_AUTO_TEST_SUITE(call_limits)

BOOST_AUTO_TEST_CASE(fifty_webhooks_at_once_admit_exactly_the_tenant_cap) {
  test_server s{[](sb::config& c) {
    c.limits.tenant_max_concurrent = 5;
    own_metrics_port(c);
  }};
  auto rs = flood(s, 50);
  BOOST_TEST(count(rs, rings_through) == 5);
  BOOST_TEST(count(rs, busy) == 45);
  // Nothing was spawned for the callers turned away.
  BOOST_TEST(eventually([&] { return s.srv().active_calls() == 5; }, 5s));
  auto metrics = metrics_text(s);
  BOOST_TEST(
      metrics.find("switchboard_calls_refused_total{node=\"node-1\",reason=\"tenant_busy\"} 45") !=
          std::string::npos,
      metrics);
  // Each caller sent to voicemail is stored, ended over_limit, with a job
  // card the recording will fill in.
  auto stored_refused = [&] {
    auto calls = s.open_store()->list_calls(100);
    int n = 0;
    for (const auto& c : calls.value())
      n += c.end_reason == sb::end_reason::over_limit && c.end_detail.rfind("tenant_busy", 0) == 0;
    return n;
  };
  BOOST_TEST(eventually([&] { return stored_refused() == 45; }, 10s), stored_refused());
}

BOOST_AUTO_TEST_CASE(with_voicemail_off_over_the_limit_the_caller_hears_the_busy_message) {
  test_server s{[](sb::config& c) {
    c.limits.tenant_max_concurrent = 1;
    c.limits.over_limit_voicemail = false;
  }};
  BOOST_TEST(rings_through(s.post_form(inbound_path, inbound_form(sid(1)))));
  BOOST_TEST(busy_message(s.post_form(inbound_path, inbound_form(sid(2)))));
  // Nothing to record, so nothing is stored for the caller turned away.
  BOOST_TEST(!s.open_store()->get_call(sid(2)).value().has_value());
}

BOOST_AUTO_TEST_CASE(a_retried_webhook_is_not_counted_twice_and_an_ended_call_frees_its_place) {
  test_server s{[](sb::config& c) {
    c.limits.tenant_max_concurrent = 1;
    c.twilio.stream_attach_timeout = 1500ms; // no stream comes: the call ends soon
  }};
  auto first = s.post_form(inbound_path, inbound_form(sid(1)));
  BOOST_TEST(rings_through(first));
  auto retry = s.post_form(inbound_path, inbound_form(sid(1)));
  BOOST_TEST(retry.body == first.body); // Twilio's retry gets the same answer
  BOOST_TEST(busy(s.post_form(inbound_path, inbound_form(sid(2)))));
  BOOST_REQUIRE(eventually([&] { return s.srv().active_calls() == 0; }, 10s));
  BOOST_TEST(rings_through(s.post_form(inbound_path, inbound_form(sid(3)))));
}

BOOST_AUTO_TEST_CASE(calls_per_minute_count_admissions_not_live_calls) {
  test_server s{[](sb::config& c) {
    c.limits.tenant_calls_per_minute = 3;
    c.twilio.stream_attach_timeout = 500ms;
  }};
  for (int i = 0; i < 3; ++i)
    BOOST_TEST(rings_through(s.post_form(inbound_path, inbound_form(sid(i)))));
  BOOST_REQUIRE(eventually([&] { return s.srv().active_calls() == 0; }, 10s));
  // The three calls are over, but they came in within the minute.
  BOOST_TEST(busy(s.post_form(inbound_path, inbound_form(sid(9)))));
}

BOOST_AUTO_TEST_CASE(the_tenants_own_limit_replaces_the_default_and_the_server_cap_holds) {
  test_server s{[](sb::config& c) {
    c.limits.tenant_max_concurrent = 10;
    c.limits.max_calls = 3;
    own_metrics_port(c);
  }};
  {
    auto db = s.open_store();
    sb::storage::tenant t;
    t.number = "+15550001111";
    t.name = "Tiny Co";
    t.max_concurrent = 1;
    BOOST_REQUIRE(db->add_tenant(t).ok());
  }
  BOOST_TEST(rings_through(s.post_form(inbound_path, inbound_form(sid(1), "+15550001111"))));
  BOOST_TEST(busy(s.post_form(inbound_path, inbound_form(sid(2), "+15550001111"))));
  // The other tenant (default 10) meets the server cap of 3 calls in all.
  auto rs = flood(s, 6, 10);
  BOOST_TEST(count(rs, rings_through) == 2);
  BOOST_TEST(count(rs, busy) == 4);
  auto metrics = metrics_text(s);
  BOOST_TEST(metrics.find("reason=\"server_busy\"} 4") != std::string::npos, metrics);
}

BOOST_AUTO_TEST_SUITE_END()
