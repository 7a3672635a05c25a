#pragma once
// Where a state-changing console request may come from (issue 15): the
// browser's Origin header (RFC 6454 7) must name this server. Two origins are
// this server's: server.public_url's (as the operator reaches it through a
// proxy or tunnel), and the request's own Host with this listener's scheme
// (local use, e.g. http://127.0.0.1:3000). A page on another site cannot set
// either header, so its forged POST or feed upgrade is refused. A request
// without Origin is refused too: every browser sends it on POST and on a
// WebSocket upgrade; other clients (switchboard top, scripts) send their own.

#include "net/http_types.hpp"

#include <string>
#include <string_view>

namespace sb::console {

/// "scheme://host[:port]" of a URL or an Origin header, lower case, the
/// default port (80, 443) left out; empty when it is not http(s).
std::string normalized_origin(std::string_view url);

class origin_policy {
public:
  /// `tls`: this listener speaks https itself.
  origin_policy(std::string_view public_url, bool tls);

  /// The request's Origin is public_url's, or its own Host's.
  bool allows(const net::http_request& req) const;

  /// The request reached this server over https: the listener speaks TLS,
  /// or public_url is https and the request names its host (through the
  /// TLS-terminating proxy). Decides the cookie's Secure attribute.
  bool over_https(const net::http_request& req) const;

private:
  std::string public_origin_;
  std::string public_host_; ///< public_origin_ without its scheme
  bool public_https_ = false;
  bool tls_ = false;
};

} // namespace sb::console
