#include "net/http_types.hpp"

#include <algorithm>
#include <cctype>

namespace sb::net {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

} // namespace

std::string http_request::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (iequals(k, name))
      return v;
  return {};
}

std::string http_request::path() const {
  return target.substr(0, target.find('?'));
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
