#pragma once
// Client-side TLS set-up for client_connect (ws_client, http_client): the system
// trust store plus an optional extra CA, peer verification, SNI and host name
// (or IP address) checks. Internal to net/.

#include "common/result.hpp"

#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <string>

namespace sb::net::detail {

/// A TLS 1.2+ client context that verifies peers against the system store
/// plus `ca_file` / `ca_pem` (either may be empty). Errors: {"tls", ...}.
result<std::shared_ptr<boost::asio::ssl::context>>
make_client_tls_context(const std::string& ca_file, const std::string& ca_pem);

/// Sets SNI (DNS names only, RFC 6066 3) and the name or IP the peer's
/// certificate must match on one connection. Errors: {"tls", ...}.
status configure_client_tls(SSL* ssl, const std::string& host);

/// True when `host` is an IPv4 or IPv6 literal.
bool is_ip_literal(const std::string& host);

} // namespace sb::net::detail
