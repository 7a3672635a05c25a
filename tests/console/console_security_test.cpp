// The console's HTTP surface against the real server (issue 15): security
// headers and no inline code, the Origin check on every POST and on the
// feed's upgrade, the cookie's Secure over https, and sessions that end.
#define BOOST_TEST_MODULE console_security // before any Boost.Test include: main() lives here
#include "console/routes.hpp"

#include "tests/common/log_capture.hpp"
#include "tests/console/console_client.hpp"
#include "tests/console/console_env.hpp"

#include <boost/test/unit_test.hpp>

#include <thread>

using namespace sb;
using namespace sb::console::test;

namespace {

constexpr const char* token = "operator-token-for-security-tests-42";
const std::string login_body = std::string{"token="} + token;

struct quiet {
  quiet() { log::set_level(log::level::off); }
};

void check_security_headers(const net::http_client_result& r) {
  BOOST_TEST_INFO("HTTP " << r.status);
  auto csp = header_of(r, "Content-Security-Policy");
  BOOST_TEST(csp.find("default-src 'none'") != std::string::npos);
  BOOST_TEST(csp.find("script-src 'self'") != std::string::npos);
  BOOST_TEST(csp.find("style-src 'self'") != std::string::npos);
  BOOST_TEST(csp.find("frame-ancestors 'none'") != std::string::npos);
  BOOST_TEST(csp.find("unsafe-inline") == std::string::npos);
  BOOST_TEST(header_of(r, "Referrer-Policy") == "same-origin"); // not no-referrer: routes.cpp
  BOOST_TEST(header_of(r, "X-Content-Type-Options") == "nosniff");
}

/// No <script> or <style> with content, no style="" or on...="" attribute.
void check_no_inline_code(const std::string& html) {
  BOOST_TEST(html.find("<style") == std::string::npos);
  BOOST_TEST(html.find("style=") == std::string::npos);
  BOOST_TEST(html.find(" on") == std::string::npos); // onclick=, onload=, ...
  for (auto at = html.find("<script"); at != std::string::npos; at = html.find("<script", at + 1))
    BOOST_TEST(html.compare(html.find('>', at), 10, "></script>") == 0);
}

} // namespace

BOOST_GLOBAL_FIXTURE(quiet);

BOOST_AUTO_TEST_CASE(every_console_response_carries_the_security_headers_and_no_inline_code) {
  console_env env{token, booking_script()};
  auto base = env.base_url();
  auto form = request(env.io(), "GET", base + "/console");
  BOOST_TEST(form.status == 401);
  check_security_headers(form);
  check_no_inline_code(form.body);
  auto session = login(env.io(), base, token);
  auto page = request(env.io(), "GET", base + "/console", session);
  BOOST_TEST(page.status == 200);
  check_security_headers(page);
  check_no_inline_code(page.body);
  BOOST_TEST(page.body.find("<script src=\"/console/app.js\"></script>") != std::string::npos);
  // The script and the stylesheet are served without a session (the login
  // form needs the stylesheet), with their own types.
  auto js = request(env.io(), "GET", base + "/console/app.js");
  BOOST_TEST(js.status == 200);
  BOOST_TEST(header_of(js, "Content-Type").find("text/javascript") == 0u);
  BOOST_TEST(js.body.find("/console/feed") != std::string::npos);
  check_security_headers(js);
  auto css = request(env.io(), "GET", base + "/console/app.css");
  BOOST_TEST(css.status == 200);
  BOOST_TEST(header_of(css, "Content-Type").find("text/css") == 0u);
  check_security_headers(request(env.io(), "POST", base + "/console/calls/CA1/end"));
  check_security_headers(request(env.io(), "GET", base + "/console/nothing", session));
  check_security_headers(
      request(env.io(), "POST", base + "/console/login", "", "token=wrong", {{"Origin", "null"}}));
}

BOOST_AUTO_TEST_CASE(posts_and_the_feed_upgrade_need_this_servers_origin) {
  console_env env{token, booking_script()};
  auto base = env.base_url();
  auto& io = env.io();
  const net::header_list none{{"Origin", ""}}, evil{{"Origin", "https://evil.example"}};
  BOOST_TEST(request(io, "POST", base + "/console/login", "", login_body, none).status == 403);
  auto forged = request(io, "POST", base + "/console/login", "", login_body, evil);
  BOOST_TEST(forged.status == 403);
  BOOST_TEST(header_of(forged, "Set-Cookie").empty());
  // The public URL's origin (through a proxy) and the request's own host's
  // (local use: http://127.0.0.1:port, as request() sends) both log in.
  auto proxied = request(io, "POST", base + "/console/login", "", login_body,
                         {{"Origin", std::string{public_url} + ":443"}});
  BOOST_TEST(proxied.status == 303);
  auto session = login(io, base, token);
  for (const char* action :
       {"/console/calls/CA1/end", "/console/calls/CA1/transfer", "/console/logout"}) {
    BOOST_TEST_INFO(action);
    BOOST_TEST(request(io, "POST", base + action, session, "", none).status == 403);
    BOOST_TEST(request(io, "POST", base + action, session, "", evil).status == 403);
  }
  BOOST_TEST(request(io, "POST", base + "/console/calls/CA1/end", session).status == 404);
  BOOST_TEST(request(io, "GET", base + "/console", session).status == 200); // logout was refused
  BOOST_TEST(request(io, "GET", base + "/console", session, "", none).status == 200); // a read
  feed_client from_evil{io, base, session, "https://evil.example"};
  BOOST_TEST(from_evil.status == 403);
  feed_client without{io, base, session, ""};
  BOOST_TEST(without.status == 403);
  feed_client own{io, base, session};
  BOOST_TEST(own.status == 0);
}

// Anyone can send a forged POST: each is refused, and the log gets at most a
// line per 10 s, not one per request.
BOOST_AUTO_TEST_CASE(a_flood_of_foreign_origins_is_refused_in_few_log_lines) {
  console_env env{token, booking_script()};
  sb::test::log_capture captured;
  for (int i = 0; i < 30; ++i)
    BOOST_TEST(request(env.io(), "POST", env.base_url() + "/console/login", "", login_body,
                       {{"Origin", "https://evil.example"}})
                   .status == 403);
  BOOST_TEST(captured.count("Refused a console POST /console/login") <= 1u);
}

BOOST_AUTO_TEST_CASE(the_cookie_is_secure_when_the_console_is_reached_over_https) {
  console_env env{token, booking_script()};
  auto base = env.base_url();
  // Through the https public URL (a TLS-terminating proxy keeps its Host).
  auto host = std::string{public_url}.substr(8);
  auto proxied = request(env.io(), "POST", base + "/console/login", "", login_body,
                         {{"Host", host}, {"Origin", public_url}});
  BOOST_TEST(proxied.status == 303);
  auto cookie = header_of(proxied, "Set-Cookie");
  BOOST_TEST(cookie.find("; Secure") != std::string::npos, cookie);
  BOOST_TEST(cookie.find("HttpOnly") != std::string::npos);
  BOOST_TEST(cookie.find("SameSite=Strict") != std::string::npos);
  // Locally over plain http a Secure cookie would never come back.
  auto local = request(env.io(), "POST", base + "/console/login", "", login_body);
  BOOST_TEST(header_of(local, "Set-Cookie").find("Secure") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_idle_session_ends_and_the_page_is_the_login_form_again) {
  console_env env{token, booking_script(),
                  [](config& c) { c.console.session_idle = std::chrono::milliseconds{1500}; }};
  auto base = env.base_url();
  auto session = login(env.io(), base, token);
  for (int i = 0; i < 3; ++i) { // in use: alive past the idle time
    std::this_thread::sleep_for(700ms);
    BOOST_TEST(request(env.io(), "HEAD", base + "/console", session).status == 200);
  }
  std::this_thread::sleep_for(1600ms);
  auto page = request(env.io(), "GET", base + "/console", session);
  BOOST_TEST(page.status == 401);
  BOOST_TEST(page.body.find("action=\"/console/login\"") != std::string::npos);
  BOOST_TEST(request(env.io(), "POST", base + "/console/calls/CA1/end", session).status == 401);
  feed_client feed{env.io(), base, session};
  BOOST_TEST(feed.status == 401);
}

BOOST_AUTO_TEST_CASE(a_session_ends_at_its_max_lifetime_and_closes_its_feed) {
  console_env env{token, booking_script(),
                  [](config& c) { c.console.session_max = std::chrono::milliseconds{2000}; }};
  auto base = env.base_url();
  auto session = login(env.io(), base, token);
  feed_client feed{env.io(), base, session};
  BOOST_REQUIRE_EQUAL(feed.status, 0);
  BOOST_TEST(request(env.io(), "GET", base + "/console", session).status == 200);
  for (int i = 0; i < 60 && !feed.closed(); ++i)
    std::this_thread::sleep_for(100ms);
  BOOST_TEST(feed.closed());
  BOOST_TEST(request(env.io(), "GET", base + "/console", session).status == 401);
  BOOST_TEST(request(env.io(), "GET", base + "/metrics", session).status == 401);
}
