#pragma once
// The console's operator authentication (issue 5). One operator token from
// the environment (SWITCHBOARD_CONSOLE_TOKEN); logging in with it creates a
// random session id, set as an HttpOnly, SameSite=Strict cookie. The cookie
// carries the session id, never the token. Thread-safe: route handlers run
// on io threads.

#include "net/http_types.hpp"

#include <cstddef>
#include <deque>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

namespace sb::console {

/// The session cookie's name.
inline constexpr const char* cookie_name = "sb_console";

class console_auth {
public:
  /// `token` empty: the console is disabled and nothing authenticates.
  explicit console_auth(const std::string& token);

  bool enabled() const { return enabled_; }

  /// Compares in constant time (SHA-256 of both, then CRYPTO_memcmp), so
  /// neither the token's bytes nor its length leak through timing.
  bool token_matches(std::string_view candidate) const;

  /// A new session: 32 random bytes (RAND_bytes), hex. Remembered until
  /// more than max_sessions exist (the oldest goes first).
  std::string new_session();
  void end_session(const std::string& id);

  /// The request carries a live session cookie.
  bool has_session(const net::http_request& req) const;
  /// The request carries `Authorization: Bearer <token>` (scrapers, scripts).
  bool has_bearer(const net::http_request& req) const;

  /// The Set-Cookie value for a session id.
  static std::string cookie_for(const std::string& session_id);
  /// The value of cookie `name` in a Cookie header; empty when absent.
  static std::string cookie_value(std::string_view header, std::string_view name);

  static constexpr std::size_t max_sessions = 1000;

private:
  bool enabled_ = false;
  unsigned char digest_[32] = {};
  mutable std::mutex mtx_;
  std::set<std::string> sessions_;
  std::deque<std::string> order_;
};

} // namespace sb::console
