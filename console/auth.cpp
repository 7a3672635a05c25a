#include "console/auth.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <stdexcept>

namespace sb::console {

namespace {

void sha256(std::string_view s, unsigned char out[32]) {
  unsigned int n = 0;
  EVP_Digest(s.data(), s.size(), out, &n, EVP_sha256(), nullptr);
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return std::string{s};
}

} // namespace

console_auth::console_auth(const std::string& token, int64_t idle_ms, int64_t max_ms)
    : enabled_(!token.empty()), idle_ms_(idle_ms), max_ms_(max_ms) {
  if (enabled_)
    sha256(token, digest_);
}

bool console_auth::token_matches(std::string_view candidate) const {
  if (!enabled_)
    return false;
  unsigned char d[32];
  sha256(candidate, d);
  return CRYPTO_memcmp(d, digest_, sizeof d) == 0;
}

std::string console_auth::new_session(int64_t now_ms) {
  unsigned char raw[32];
  if (RAND_bytes(raw, sizeof raw) != 1)
    throw std::runtime_error("RAND_bytes failed");
  static const char* hex = "0123456789abcdef";
  std::string id;
  for (unsigned char c : raw) {
    id += hex[c >> 4];
    id += hex[c & 15];
  }
  std::lock_guard<std::mutex> g{mtx_};
  sessions_[id] = session{now_ms, now_ms};
  order_.push_back(id);
  while (order_.size() > max_sessions) {
    sessions_.erase(order_.front());
    order_.pop_front();
  }
  return id;
}

void console_auth::end_session(const std::string& id) {
  std::lock_guard<std::mutex> g{mtx_};
  sessions_.erase(id);
}

bool console_auth::has_session(const net::http_request& req, int64_t now_ms) {
  if (!enabled_)
    return false;
  auto id = cookie_value(req.header("Cookie"), cookie_name);
  if (id.empty())
    return false;
  std::lock_guard<std::mutex> g{mtx_};
  auto it = sessions_.find(id);
  if (it == sessions_.end())
    return false;
  auto& s = it->second;
  if (now_ms - s.used_ms >= idle_ms_ || now_ms - s.login_ms >= max_ms_) {
    sessions_.erase(it); // its id stays in order_ until pushed out: harmless
    return false;
  }
  s.used_ms = now_ms;
  return true;
}

int64_t console_auth::session_end_ms(const std::string& id) const {
  std::lock_guard<std::mutex> g{mtx_};
  auto it = sessions_.find(id);
  return it == sessions_.end() ? 0 : it->second.login_ms + max_ms_;
}

bool console_auth::has_bearer(const net::http_request& req) const {
  auto h = req.header("Authorization");
  constexpr std::string_view prefix = "Bearer ";
  if (h.size() <= prefix.size() || h.compare(0, prefix.size(), prefix) != 0)
    return false;
  return token_matches(std::string_view{h}.substr(prefix.size()));
}

std::string console_auth::cookie_for(const std::string& session_id, bool secure) {
  // HttpOnly: page scripts cannot read it; SameSite=Strict: no other site's
  // page can make the browser send it (and the Origin check refuses their
  // POSTs besides). Secure: over https the browser never sends it in clear.
  // No Max-Age: the server ends the session (idle, max), the browser at exit.
  return std::string{cookie_name} + "=" + session_id + "; HttpOnly; SameSite=Strict; Path=/" +
         (secure ? "; Secure" : "");
}

std::string console_auth::cookie_value(std::string_view header, std::string_view name) {
  // RFC 6265 5.4: "name=value" pairs separated by "; ".
  while (!header.empty()) {
    auto semi = header.find(';');
    auto pair = header.substr(0, semi);
    auto eq = pair.find('=');
    if (eq != std::string_view::npos && trim(pair.substr(0, eq)) == name)
      return trim(pair.substr(eq + 1));
    if (semi == std::string_view::npos)
      break;
    header.remove_prefix(semi + 1);
  }
  return "";
}

} // namespace sb::console
