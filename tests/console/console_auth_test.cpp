#include "console/auth.hpp"

#define BOOST_TEST_MODULE console_auth
#include <boost/test/unit_test.hpp>

#include "console/origin.hpp"

using sb::console::console_auth;
using sb::console::origin_policy;

namespace {
constexpr int64_t hour = 3'600'000, day = 24 * hour;

sb::net::http_request with_header(const std::string& name, const std::string& value) {
  sb::net::http_request r;
  r.method = "GET";
  r.target = "/console";
  r.headers.emplace_back(name, value);
  return r;
}
} // namespace

BOOST_AUTO_TEST_CASE(matches_only_the_exact_token) {
  console_auth a{"s3cret-token", hour, day};
  BOOST_TEST(a.enabled());
  BOOST_TEST(a.token_matches("s3cret-token"));
  BOOST_TEST(!a.token_matches("s3cret-toke"));
  BOOST_TEST(!a.token_matches("s3cret-token "));
  BOOST_TEST(!a.token_matches(""));
}

BOOST_AUTO_TEST_CASE(no_token_disables_everything) {
  console_auth a{"", hour, day};
  BOOST_TEST(!a.enabled());
  BOOST_TEST(!a.token_matches(""));
  BOOST_TEST(!a.has_bearer(with_header("Authorization", "Bearer ")));
}

BOOST_AUTO_TEST_CASE(sessions_are_random_and_not_the_token) {
  console_auth a{"s3cret-token", hour, day};
  auto s1 = a.new_session(0);
  auto s2 = a.new_session(0);
  BOOST_TEST(s1.size() == 64u);
  BOOST_TEST(s1 != s2);
  BOOST_TEST(s1.find("s3cret") == std::string::npos);
  BOOST_TEST(a.has_session(with_header("Cookie", "theme=dark; sb_console=" + s1 + "; x=1"), 1));
  BOOST_TEST(!a.has_session(with_header("Cookie", "sb_console=" + s1.substr(1)), 1));
  BOOST_TEST(!a.has_session(with_header("Cookie", "sb_console=s3cret-token"), 1));
  a.end_session(s1);
  BOOST_TEST(!a.has_session(with_header("Cookie", "sb_console=" + s1), 1));
  BOOST_TEST(a.has_session(with_header("Cookie", "sb_console=" + s2), 1));
}

BOOST_AUTO_TEST_CASE(cookie_is_httponly_samesite_strict_and_secure_only_over_https) {
  for (bool secure : {false, true}) {
    auto c = console_auth::cookie_for("abc", secure);
    BOOST_TEST(c.find("sb_console=abc;") == 0u);
    BOOST_TEST(c.find("HttpOnly") != std::string::npos);
    BOOST_TEST(c.find("SameSite=Strict") != std::string::npos);
    BOOST_TEST(c.find("Path=/") != std::string::npos);
    BOOST_TEST((c.find("; Secure") != std::string::npos) == secure);
  }
}

BOOST_AUTO_TEST_CASE(a_session_ends_when_idle_and_at_its_max_lifetime_however_used) {
  console_auth a{"t", 1000, 5000};
  auto idle = a.new_session(0), busy = a.new_session(0);
  auto cookie = [](const std::string& s) { return with_header("Cookie", "sb_console=" + s); };
  BOOST_TEST(a.session_end_ms(busy) == 5000);
  BOOST_TEST(a.has_session(cookie(idle), 999));
  BOOST_TEST(!a.has_session(cookie(idle), 1999)); // unused for 1000 ms
  BOOST_TEST(!a.has_session(cookie(idle), 2000)); // and forgotten
  for (int64_t t = 900; t < 5000; t += 900)       // used often: alive until the max
    BOOST_TEST(a.has_session(cookie(busy), t));
  BOOST_TEST(!a.has_session(cookie(busy), 5000));
  BOOST_TEST(a.session_end_ms(busy) == 0);
}

BOOST_AUTO_TEST_CASE(the_origin_must_be_the_public_url_or_the_requests_own_host) {
  origin_policy p{"https://Switchboard.example.com/", false};
  auto req = [](const std::string& origin, const std::string& host) {
    auto r = with_header("Host", host);
    r.method = "POST";
    if (!origin.empty())
      r.headers.emplace_back("Origin", origin);
    return r;
  };
  BOOST_TEST(p.allows(req("https://switchboard.example.com", "switchboard.example.com")));
  BOOST_TEST(p.allows(req("https://switchboard.example.com:443", "127.0.0.1:3000")));
  BOOST_TEST(p.allows(req("http://127.0.0.1:3000", "127.0.0.1:3000"))); // local use
  BOOST_TEST(!p.allows(req("", "127.0.0.1:3000")));                     // no Origin
  BOOST_TEST(!p.allows(req("null", "127.0.0.1:3000")));
  BOOST_TEST(!p.allows(req("https://evil.example", "switchboard.example.com")));
  BOOST_TEST(!p.allows(req("http://127.0.0.1:3001", "127.0.0.1:3000")));  // another port
  BOOST_TEST(!p.allows(req("https://127.0.0.1:3000", "127.0.0.1:3000"))); // not TLS here
  BOOST_TEST(!p.allows(req("https://switchboard.example.com.evil.example", "x")));
  origin_policy tls{"http://localhost:3000", true};
  BOOST_TEST(tls.allows(req("https://127.0.0.1:3443", "127.0.0.1:3443")));
}

BOOST_AUTO_TEST_CASE(https_is_the_listeners_tls_or_the_public_https_url_by_its_host) {
  auto host = [](const std::string& h) { return with_header("Host", h); };
  origin_policy proxied{"https://switchboard.example.com", false};
  BOOST_TEST(proxied.over_https(host("switchboard.example.com")));
  BOOST_TEST(!proxied.over_https(host("127.0.0.1:3000"))); // local, plain http
  origin_policy plain{"http://localhost:3000", false};
  BOOST_TEST(!plain.over_https(host("localhost:3000")));
  origin_policy tls{"http://localhost:3000", true};
  BOOST_TEST(tls.over_https(host("127.0.0.1:3443")));
}

BOOST_AUTO_TEST_CASE(accepts_the_bearer_token) {
  console_auth a{"s3cret-token", hour, day};
  BOOST_TEST(a.has_bearer(with_header("Authorization", "Bearer s3cret-token")));
  BOOST_TEST(!a.has_bearer(with_header("Authorization", "Bearer wrong")));
  BOOST_TEST(!a.has_bearer(with_header("Authorization", "Basic s3cret-token")));
}

BOOST_AUTO_TEST_CASE(oldest_sessions_expire_past_the_limit) {
  console_auth a{"t", hour, day};
  auto first = a.new_session(0);
  for (std::size_t i = 0; i < console_auth::max_sessions; ++i)
    a.new_session(0);
  BOOST_TEST(!a.has_session(with_header("Cookie", "sb_console=" + first), 1));
}
