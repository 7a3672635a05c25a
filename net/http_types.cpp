#include "net/http_types.hpp"

#include <algorithm>

namespace sb::net {

namespace {

/// ASCII case folding: header names are tokens (RFC 9110 5.1), and the
/// locale's tolower is a call per character.
char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return ascii_lower(x) == ascii_lower(y);
         });
}

} // namespace

const std::string& http_request::header(std::string_view name) const {
  static const std::string none;
  for (const auto& [k, v] : headers)
    if (iequals(k, name))
      return v;
  return none;
}

std::string_view http_request::path() const {
  return std::string_view{target}.substr(0, target.find('?'));
}

http_response http_response::text(int status, std::string body) {
  http_response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

http_response http_response::json(int status, std::string body) {
  http_response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(body);
  return r;
}

http_response http_response::xml(std::string body) {
  http_response r;
  r.content_type = "text/xml";
  r.body = std::move(body);
  return r;
}

} // namespace sb::net
