#pragma once
// A one-shot HTTP(S) client for outbound POSTs (push notifications, the
// simulated caller's webhook). TLS verifies certificates and host names.

#include "net/http_types.hpp"

#include <chrono>
#include <functional>
#include <string>

namespace boost::asio {
class io_context;
}

namespace sb::net {

struct http_client_request {
  std::string method = "POST";
  std::string url; ///< http://host:port/path or https://...
  header_list headers;
  std::string content_type = "application/json";
  std::string body;
  std::string ca_file; ///< extra trusted CA (PEM file)
  std::string ca_pem;  ///< or PEM text
  std::chrono::milliseconds timeout{5'000};
};

struct http_client_result {
  int status = 0; ///< 0 when no response arrived
  std::string body;
  header_list headers;
  std::string error; ///< empty on a response (any status)
};

/// Sends the request; `done` runs once on an io thread.
void http_send(boost::asio::io_context& io, http_client_request request,
               std::function<void(http_client_result)> done);

} // namespace sb::net
