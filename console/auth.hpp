#pragma once
// The console's operator authentication (issue 5). One operator token from
// the environment (SWITCHBOARD_CONSOLE_TOKEN); logging in with it creates a
// random session id, set as an HttpOnly, SameSite=Strict cookie (Secure over
// https). The cookie carries the session id, never the token. A session ends
// when unused for `idle_ms`, and `max_ms` after its login in any case (issue
// 15). Thread-safe: route handlers run on io threads.

#include "net/http_types.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace sb::console {

/// The session cookie's name.
inline constexpr const char* cookie_name = "sb_console";

class console_auth {
public:
  /// `token` empty: the console is disabled and nothing authenticates.
  /// Sessions end after `idle_ms` unused, or `max_ms` after the login.
  console_auth(const std::string& token, int64_t idle_ms, int64_t max_ms);

  bool enabled() const { return enabled_; }

  /// Compares in constant time (SHA-256 of both, then CRYPTO_memcmp), so
  /// neither the token's bytes nor its length leak through timing.
  bool token_matches(std::string_view candidate) const;

  /// A new session: 32 random bytes (RAND_bytes), hex. Remembered until it
  /// expires or more than max_sessions exist (the oldest goes first).
  std::string new_session(int64_t now_ms);
  void end_session(const std::string& id);

  /// The request carries a live session cookie; that use of it, at
  /// `now_ms`, restarts its idle time. An expired session is forgotten.
  bool has_session(const net::http_request& req, int64_t now_ms);
  /// When the session `id` ends at the latest (its login + max_ms); 0: no
  /// such session.
  int64_t session_end_ms(const std::string& id) const;
  /// The request carries `Authorization: Bearer <token>` (scrapers, scripts).
  bool has_bearer(const net::http_request& req) const;

  /// The Set-Cookie value for a session id; `secure` adds Secure (the
  /// console is reached over https).
  static std::string cookie_for(const std::string& session_id, bool secure);
  /// The value of cookie `name` in a Cookie header; empty when absent.
  static std::string cookie_value(std::string_view header, std::string_view name);

  static constexpr std::size_t max_sessions = 1000;

private:
  struct session {
    int64_t login_ms = 0;
    int64_t used_ms = 0;
  };
  bool enabled_ = false;
  int64_t idle_ms_;
  int64_t max_ms_;
  unsigned char digest_[32] = {};
  mutable std::mutex mtx_;
  std::map<std::string, session> sessions_;
  std::deque<std::string> order_;
};

} // namespace sb::console
