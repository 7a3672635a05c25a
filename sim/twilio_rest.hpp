#pragma once
// A stand-in for Twilio's REST API, the Calls resource (docs/protocols.md 6),
// on 127.0.0.1 (plain HTTP or TLS). It checks HTTP Basic auth (401, error
// 20003), keeps the state of each call the simulated caller places
// (ringing, in-progress, completed) and the TwiML it runs, answers an update
// of an unknown call with 404 / 20404 and of an ended call with 400 / 21220,
// and drives the caller as Twilio drives a call: new Twiml or Url ends a
// live Media Stream (stop, then the socket closes) and runs instead;
// Status=completed hangs up. Every request is logged, without secrets, for
// tests and the demo to read.

#include "common/result.hpp"
#include "protocol/form.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace sb::sim {

/// What the stand-in asks of a live simulated call (sim/caller.hpp
/// implements it). Thread-safe; each returns at once and acts later.
class call_leg {
public:
  virtual ~call_leg() = default;
  /// Twiml=...: end a live stream as Twilio does, then run `twiml`.
  virtual void run_twiml(std::string twiml) = 0;
  /// Url=...: end a live stream, fetch TwiML from `url` with `method`, run it.
  virtual void fetch_twiml(std::string url, std::string method) = 0;
  /// Status=completed (or canceled while ringing): the call ends.
  virtual void hang_up() = 0;
};

struct twilio_rest_options {
  std::string bind_address = "127.0.0.1";
  uint16_t port = 0;        ///< 0: ephemeral
  std::string tls_cert_pem; ///< with tls_key_pem: https://
  std::string tls_key_pem;
  std::string account_sid = "AC00000000000000000000000000000000";
  std::string auth_token; ///< what Basic auth must carry (never logged)
};

/// One request as received, without secrets: no Authorization header.
struct rest_log_entry {
  std::string method;
  std::string path;
  proto::form_params params; ///< the form body (call data, not secrets)
  int status = 0;            ///< HTTP status answered
  int code = 0;              ///< Twilio error code answered, 0 on success
  std::string call_status;   ///< the call's status after the request ("" on an error)

  /// "POST /2010-04-01/.../Calls/CA....json Twiml=<Response>... -> 200 in-progress".
  std::string describe() const;
};

/// A call as the stand-in knows it.
struct rest_call_state {
  std::string sid, from, to;
  std::string status; ///< ringing, in-progress, completed, canceled, failed
  std::string twiml;  ///< the TwiML document the call runs now
  int updates = 0;    ///< successful REST updates
};

class twilio_rest {
public:
  static result<std::shared_ptr<twilio_rest>> start(boost::asio::io_context& io,
                                                    twilio_rest_options options);
  virtual ~twilio_rest() = default;

  /// "http://127.0.0.1:PORT" (https:// with TLS): the client's rest_base_url.
  virtual std::string base_url() const = 0;
  virtual const std::string& account_sid() const = 0;
  /// Every request received, in order (thread-safe copy).
  virtual std::vector<rest_log_entry> requests() const = 0;
  virtual std::optional<rest_call_state> call(const std::string& sid) const = 0;
  /// Where a recording of this account lives: {base}/2010-04-01/Accounts/AC.../Recordings/RE...
  virtual std::string recording_url(const std::string& recording_sid) const = 0;
  virtual void stop() = 0;

  // -- the simulated caller's side --
  /// A call is placed (status ringing); `leg` obeys the updates while alive.
  virtual void call_placed(const std::string& sid, const std::string& from, const std::string& to,
                           std::weak_ptr<call_leg> leg) = 0;
  virtual void call_status(const std::string& sid, const std::string& status) = 0;
  virtual void call_twiml(const std::string& sid, const std::string& twiml) = 0;
};

} // namespace sb::sim
