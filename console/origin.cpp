#include "console/origin.hpp"

#include <cctype>

namespace sb::console {

namespace {

std::string lower(std::string_view s) {
  std::string out{s};
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// `host[:port]` without the scheme's default port.
std::string without_default_port(std::string host, std::string_view scheme) {
  const std::string suffix = scheme == "https" ? ":443" : ":80";
  if (host.size() > suffix.size() &&
      host.compare(host.size() - suffix.size(), suffix.size(), suffix) == 0)
    host.resize(host.size() - suffix.size());
  return host;
}

} // namespace

std::string normalized_origin(std::string_view url) {
  auto sep = url.find("://");
  if (sep == std::string_view::npos)
    return "";
  auto scheme = lower(url.substr(0, sep));
  if (scheme != "http" && scheme != "https")
    return "";
  auto rest = url.substr(sep + 3);
  auto host = lower(rest.substr(0, rest.find_first_of("/?#")));
  if (host.empty() || host.find('@') != std::string::npos)
    return "";
  return scheme + "://" + without_default_port(std::move(host), scheme);
}

origin_policy::origin_policy(std::string_view public_url, bool tls)
    : public_origin_(normalized_origin(public_url)), tls_(tls) {
  public_https_ = public_origin_.rfind("https://", 0) == 0;
  if (auto sep = public_origin_.find("://"); sep != std::string::npos)
    public_host_ = public_origin_.substr(sep + 3);
}

bool origin_policy::allows(const net::http_request& req) const {
  const auto origin = normalized_origin(req.header("Origin"));
  if (origin.empty()) // absent, "null" (a sandboxed or privacy-sensitive context), or junk
    return false;
  if (origin == public_origin_)
    return true;
  const std::string scheme = tls_ ? "https" : "http";
  const auto& host = req.header("Host");
  return !host.empty() && origin == normalized_origin(scheme + "://" + host);
}

bool origin_policy::over_https(const net::http_request& req) const {
  if (tls_)
    return true;
  auto host = normalized_origin("https://" + req.header("Host"));
  return public_https_ && host == public_origin_;
}

} // namespace sb::console
