#include "net/detail/url_parts.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

namespace sb::net::detail {

result<url_parts> parse_url(const std::string& text, const char* plain, const char* secure) {
  auto parsed = boost::urls::parse_uri(text);
  if (!parsed)
    return error{"url", "malformed URL"};
  // A url, not a url_view: the view would point into the parse temporary
  // (docs/stack.md pitfalls).
  boost::urls::url u = *parsed;
  url_parts out;
  std::string scheme(u.scheme());
  if (scheme == secure)
    out.secure = true;
  else if (scheme != plain)
    return error{"url", "unsupported scheme '" + scheme + "'"};
  out.host = std::string(u.host_address());
  if (out.host.empty())
    return error{"url", "URL without a host"};
  out.port = u.has_port() ? std::string(u.port()) : (out.secure ? "443" : "80");
  out.target = std::string(u.encoded_path());
  if (out.target.empty())
    out.target = "/";
  if (u.has_query())
    out.target += "?" + std::string(u.encoded_query());
  out.host_header = std::string(u.encoded_host());
  if (u.has_port())
    out.host_header += ":" + out.port;
  return out;
}

} // namespace sb::net::detail
