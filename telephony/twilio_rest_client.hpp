#pragma once
// A client for Twilio's REST API, the Calls resource (docs/protocols.md 6):
// change a live call's TwiML, send it to a URL, or hang it up. Asynchronous
// on net/http_client; the answer is a typed result (protocol/twilio_rest.hpp).
// The base URL comes from config (twilio.rest_base_url), so tests point it at
// the stand-in (sim/twilio_rest.hpp). The auth token and the Authorization
// header are never logged.

#include "protocol/twilio_rest.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace boost::asio {
class io_context;
}

namespace sb {
struct twilio_config;
}

namespace sb::telephony {

struct twilio_rest_options {
  std::string base_url = "https://api.twilio.com";
  std::string account_sid;
  std::string auth_token;                    ///< secret: sent as Basic auth, never logged
  std::chrono::milliseconds timeout{10'000}; ///< per attempt, connect to answer
  std::string ca_file;                       ///< extra trusted CA (PEM file)
  std::string ca_pem;                        ///< or PEM text (tests)
  /// A connection that could not be made (refused, name not resolved) is
  /// tried once more after this. Nothing else is retried: an answer (any
  /// status) or a timeout may mean Twilio acted on the request.
  std::chrono::milliseconds retry_delay{250};
};

/// twilio.rest_base_url, account_sid, auth_token, rest_timeout_ms, rest_ca_file.
twilio_rest_options rest_options_from(const twilio_config& twilio);

class twilio_rest_client {
public:
  /// `done` runs once, on an io thread of `io`.
  using callback = std::function<void(proto::rest_result)>;

  twilio_rest_client(boost::asio::io_context& io, twilio_rest_options options);

  /// Twiml=...: Twilio ends a live <Connect><Stream> (stop, then the socket
  /// closes) and runs `twiml` instead.
  void update_call(const std::string& call_sid, std::string twiml, callback done) const;
  /// Url=...&Method=POST: Twilio fetches the TwiML to run from `url`.
  void redirect_call(const std::string& call_sid, std::string url, callback done) const;
  /// Status=completed: hangs the call up.
  void complete_call(const std::string& call_sid, callback done) const;
  /// Any update (the three above are shorthands).
  void send_update(const std::string& call_sid, proto::call_update update, callback done) const;

private:
  boost::asio::io_context& io_;
  std::shared_ptr<const twilio_rest_options> options_;
};

} // namespace sb::telephony
