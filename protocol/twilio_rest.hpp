#pragma once
// Twilio's REST API, the Calls resource (docs/protocols.md 6): the update
// request (POST /2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}.json,
// HTTP Basic auth, form-encoded Twiml / Url / Method / Status) and its
// answer (the Call resource as JSON, or Twilio's error JSON). Pure: no I/O.
// Both ends use it: telephony/twilio_rest_client and the stand-in
// sim/twilio_rest.

#include "protocol/form.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace sb::proto {

inline constexpr std::string_view twilio_api_version = "2010-04-01";

/// Twilio error codes Switchboard tells apart (https://www.twilio.com/docs/errors/NNNNN).
namespace twilio_code {
inline constexpr int authenticate = 20003;         ///< HTTP 401: wrong SID or token
inline constexpr int not_found = 20404;            ///< HTTP 404: no such call (or account)
inline constexpr int call_not_in_progress = 21220; ///< HTTP 400: "Invalid call state" (ended)
} // namespace twilio_code

/// The Calls resource's update parameters Switchboard sends (twilio-node
/// src/rest/api/v2010/account/call.ts, CallContextUpdateOptions). Empty
/// fields are not sent.
struct call_update {
  std::string twiml;  ///< Twiml: run this TwiML now (the live stream ends first)
  std::string url;    ///< Url: fetch the TwiML to run from here...
  std::string method; ///< ...with this Method (Twilio's default: POST)
  std::string status; ///< Status: "completed" hangs up; "canceled" only a call not yet answered
};

/// One HTTP request, ready for net::http_send.
struct rest_request {
  std::string method = "POST";
  std::string url;           ///< base URL + path
  std::string path;          ///< "/2010-04-01/Accounts/AC.../Calls/CA....json" (safe to log)
  std::string authorization; ///< "Basic ..." (a secret: never logged)
  std::string content_type = "application/x-www-form-urlencoded";
  form_params params; ///< the form fields, in the order sent
  std::string body;   ///< `params` form-encoded
};

/// "/2010-04-01/Accounts/{account_sid}/Calls/{call_sid}.json".
std::string call_path(std::string_view account_sid, std::string_view call_sid);

/// "Basic " + base64(user + ":" + password) (RFC 7617).
std::string basic_authorization(std::string_view user, std::string_view password);

/// {user, password} from a Basic Authorization header; nullopt when it is
/// absent or malformed.
std::optional<std::pair<std::string, std::string>>
parse_basic_authorization(std::string_view header);

/// The update request for `call_sid` on `base_url` ("https://api.twilio.com";
/// trailing slashes ignored).
rest_request build_call_update(std::string_view base_url, std::string_view account_sid,
                               std::string_view auth_token, std::string_view call_sid,
                               const call_update& update);

/// The Call resource fields Switchboard reads.
struct twilio_call {
  std::string sid;
  std::string account_sid;
  std::string
      status; ///< queued, ringing, in-progress, completed, busy, failed, no-answer, canceled
  std::string from;
  std::string to;
  std::string direction;
};

enum class rest_error_kind {
  api,            ///< Twilio's error JSON (code, message, more_info, status)
  http,           ///< a non-2xx answer without Twilio's error JSON (a proxy, say)
  malformed,      ///< a 2xx answer that is not a Call resource
  connection,     ///< no answer at all: resolve, connect, TLS, timeout
  not_configured, ///< no account SID or auth token: nothing was sent
};

/// A failed REST request, typed (twilio-node src/base/RestException.ts reads
/// the same fields).
struct rest_error {
  rest_error_kind kind = rest_error_kind::api;
  int http_status = 0; ///< 0 when no answer arrived
  int code = 0;        ///< Twilio's error code, 0 when the answer carried none
  std::string message; ///< Twilio's message, or what went wrong
  std::string more_info;

  /// One line for logs, e.g. "HTTP 404, Twilio error 20404: The requested resource ... was not
  /// found".
  std::string describe() const;
};

/// The outcome of one REST request: the Call resource or a typed error.
class [[nodiscard]] rest_result {
public:
  rest_result(twilio_call call) : v_(std::move(call)) {}
  rest_result(rest_error e) : v_(std::move(e)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  const twilio_call& call() const { return std::get<0>(v_); }
  const rest_error& error() const { return std::get<1>(v_); }

private:
  std::variant<twilio_call, rest_error> v_;
};

/// Reads an answer: 2xx with a Call resource (needs `sid` and `status`), or
/// an error (Twilio's JSON when it is there).
rest_result parse_call_answer(int http_status, std::string_view body);

/// No answer arrived (net::http_client_result::error).
rest_result connection_failure(std::string what);

// -- the service's side (the stand-in) ----------------------------------------

/// {"code":C,"message":"...","more_info":"https://www.twilio.com/docs/errors/C","status":S}
std::string rest_error_json(int code, std::string_view message, int http_status);

/// The Call resource as JSON: the fields of twilio_call plus api_version,
/// parent_call_sid (null) and uri.
std::string call_json(const twilio_call& call);

/// {account_sid, call_sid} from "/2010-04-01/Accounts/AC.../Calls/CA....json";
/// nullopt for any other path.
std::optional<std::pair<std::string, std::string>> parse_call_path(std::string_view path);

} // namespace sb::proto
