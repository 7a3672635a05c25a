#pragma once
// The application's end of the requests a simulated call makes while it
// runs TwiML (an action, a <Redirect>, a recording status callback), for
// tests that do not run the real server: an HTTP server on 127.0.0.1 that
// answers each path with the TwiML a test sets, checks every
// X-Twilio-Signature as Switchboard does (docs/protocols.md 1), and keeps
// every request for the test to read.

#include "protocol/form.hpp"

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace sb::net {
class http_server;
}

namespace sb::test {

struct twiml_app_request {
  std::string method;
  std::string target; ///< path and query
  proto::form_params params;
  bool signature_ok = false;
};

class twiml_app {
public:
  /// Listens on an ephemeral port; signatures are checked with `auth_token`
  /// over `public_url` + the request target.
  twiml_app(boost::asio::io_context& io, std::string auth_token,
            std::string public_url = "https://app.example");
  ~twiml_app();

  /// Requests to `path` get 200 with `body` (text/xml); other paths get 404.
  void answer(const std::string& path, std::string body);

  std::string server_url() const; ///< http://127.0.0.1:PORT
  const std::string& public_url() const { return public_url_; }
  std::vector<twiml_app_request> requests() const;
  /// The first request to `path` (without the query); nullopt if none.
  std::optional<twiml_app_request> request_to(std::string_view path) const;

private:
  struct state;
  std::string public_url_;
  std::shared_ptr<state> state_;
  std::shared_ptr<net::http_server> server_;
};

/// The value of `name` in `params` ("" if absent).
std::string param(const proto::form_params& params, std::string_view name);

} // namespace sb::test
