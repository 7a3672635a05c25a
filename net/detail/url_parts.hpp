#pragma once
// An http(s):// or ws(s):// URL split into what a client connects to.
// Internal to net/.

#include "common/result.hpp"

#include <string>

namespace sb::net::detail {

struct url_parts {
  bool secure = false;     ///< https / wss
  std::string host;        ///< without brackets for IPv6
  std::string port;        ///< explicit or the scheme's default
  std::string target;      ///< path + query, at least "/"
  std::string host_header; ///< "host" or "host:port" as sent in Host
};

/// Accepts the schemes `plain` and `secure` (e.g. "ws", "wss").
result<url_parts> parse_url(const std::string& url, const char* plain, const char* secure);

} // namespace sb::net::detail
