#pragma once
// Plain HTTP request/response values exchanged with route handlers.

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sb::net {

using header_list = std::vector<std::pair<std::string, std::string>>;

struct http_request {
  std::string method; ///< "GET", "POST", ...
  std::string target; ///< path and query as sent: "/telephony/x?a=1"
  header_list headers;
  std::string body;
  std::string remote; ///< "127.0.0.1:54321"

  /// Case-insensitive header lookup; empty when absent. The reference is
  /// into `headers` (or a static empty string).
  const std::string& header(std::string_view name) const;
  /// The path without the query string (a view into `target`).
  std::string_view path() const;
};

struct http_response {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  header_list headers; ///< extra headers (Set-Cookie, Allow, ...)

  static http_response text(int status, std::string body);
  static http_response json(int status, std::string body);
  static http_response xml(std::string body); ///< 200, text/xml (TwiML)
};

/// Completes a request; thread-safe; call exactly once.
using responder = std::function<void(http_response)>;

} // namespace sb::net
