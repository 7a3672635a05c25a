#include "console/auth.hpp"

#define BOOST_TEST_MODULE console_auth
#include <boost/test/unit_test.hpp>

using sb::console::console_auth;

namespace {
sb::net::http_request with_header(const std::string& name, const std::string& value) {
  sb::net::http_request r;
  r.method = "GET";
  r.target = "/console";
  r.headers.emplace_back(name, value);
  return r;
}
} // namespace

BOOST_AUTO_TEST_CASE(matches_only_the_exact_token) {
  console_auth a{"s3cret-token"};
  BOOST_TEST(a.enabled());
  BOOST_TEST(a.token_matches("s3cret-token"));
  BOOST_TEST(!a.token_matches("s3cret-toke"));
  BOOST_TEST(!a.token_matches("s3cret-token "));
  BOOST_TEST(!a.token_matches(""));
}

BOOST_AUTO_TEST_CASE(no_token_disables_everything) {
  console_auth a{""};
  BOOST_TEST(!a.enabled());
  BOOST_TEST(!a.token_matches(""));
  BOOST_TEST(!a.has_bearer(with_header("Authorization", "Bearer ")));
}

BOOST_AUTO_TEST_CASE(sessions_are_random_and_not_the_token) {
  console_auth a{"s3cret-token"};
  auto s1 = a.new_session();
  auto s2 = a.new_session();
  BOOST_TEST(s1.size() == 64u);
  BOOST_TEST(s1 != s2);
  BOOST_TEST(s1.find("s3cret") == std::string::npos);
  BOOST_TEST(a.has_session(with_header("Cookie", "theme=dark; sb_console=" + s1 + "; x=1")));
  BOOST_TEST(!a.has_session(with_header("Cookie", "sb_console=" + s1.substr(1))));
  BOOST_TEST(!a.has_session(with_header("Cookie", "sb_console=s3cret-token")));
  a.end_session(s1);
  BOOST_TEST(!a.has_session(with_header("Cookie", "sb_console=" + s1)));
  BOOST_TEST(a.has_session(with_header("Cookie", "sb_console=" + s2)));
}

BOOST_AUTO_TEST_CASE(cookie_is_httponly_samesite_strict) {
  auto c = console_auth::cookie_for("abc");
  BOOST_TEST(c.find("sb_console=abc;") == 0u);
  BOOST_TEST(c.find("HttpOnly") != std::string::npos);
  BOOST_TEST(c.find("SameSite=Strict") != std::string::npos);
  BOOST_TEST(c.find("Path=/") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(accepts_the_bearer_token) {
  console_auth a{"s3cret-token"};
  BOOST_TEST(a.has_bearer(with_header("Authorization", "Bearer s3cret-token")));
  BOOST_TEST(!a.has_bearer(with_header("Authorization", "Bearer wrong")));
  BOOST_TEST(!a.has_bearer(with_header("Authorization", "Basic s3cret-token")));
}

BOOST_AUTO_TEST_CASE(oldest_sessions_expire_past_the_limit) {
  console_auth a{"t"};
  auto first = a.new_session();
  for (std::size_t i = 0; i < console_auth::max_sessions; ++i)
    a.new_session();
  BOOST_TEST(!a.has_session(with_header("Cookie", "sb_console=" + first)));
}
