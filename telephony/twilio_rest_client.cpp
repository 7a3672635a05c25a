// Twilio REST requests: one attempt, or two when the first could not even
// connect (docs/protocols.md 6). twilio-node's RequestClient retries only
// HTTP 429 and only when asked to; a refused connection is retried here
// because nothing reached Twilio, so nothing can have been done twice.

#include "telephony/twilio_rest_client.hpp"

#include "common/log.hpp"
#include "config/config.hpp"
#include "net/http_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

namespace sb::telephony {

namespace {

namespace asio = boost::asio;
constexpr std::string_view component = "TwilioREST";

/// One request and its attempts.
struct attempt {
  asio::io_context& io;
  std::shared_ptr<const twilio_rest_options> options;
  proto::rest_request request;
  std::string call_sid;
  std::string what; ///< "Twiml", "Url", "Status=completed": for the log, never a value
  twilio_rest_client::callback done;
  int tries = 0;
};

/// Failures before anything reached the service (net/client_connect.cpp's
/// "resolve: ..." and "connect: ..."); a TLS failure is a configuration
/// problem and a timeout may come after the request was sent.
bool not_connected(const std::string& error) {
  return error.rfind("connect: ", 0) == 0 || error.rfind("resolve: ", 0) == 0;
}

std::string describe_update(const proto::call_update& u) {
  std::string s;
  auto add = [&](std::string_view part) {
    if (!s.empty())
      s += ", ";
    s += part;
  };
  if (!u.twiml.empty())
    add("Twiml, " + std::to_string(u.twiml.size()) + " bytes");
  if (!u.url.empty())
    add("Url");
  if (!u.status.empty())
    add("Status=" + u.status);
  return s;
}

void finish(const std::shared_ptr<attempt>& a, proto::rest_result r) {
  if (r.ok())
    log::info(component, "update " + a->call_sid + " (" + a->what + ") -> " + r.call().status);
  else
    log::warn(component,
              "update " + a->call_sid + " (" + a->what + ") failed: " + r.error().describe());
  if (a->done)
    a->done(std::move(r));
}

void send_attempt(std::shared_ptr<attempt> a) {
  ++a->tries;
  net::http_client_request req;
  req.method = a->request.method;
  req.url = a->request.url;
  req.content_type = a->request.content_type;
  req.body = a->request.body;
  req.headers.emplace_back("Authorization", a->request.authorization);
  req.headers.emplace_back("Accept", "application/json");
  req.ca_file = a->options->ca_file;
  req.ca_pem = a->options->ca_pem;
  req.timeout = a->options->timeout;
  log::debug(component, req.method + " " + a->request.path + " (" + a->what + "), attempt " +
                            std::to_string(a->tries));
  net::http_send(a->io, std::move(req), [a](net::http_client_result res) {
    if (res.error.empty())
      return finish(a, proto::parse_call_answer(res.status, res.body));
    if (a->tries > 1 || !not_connected(res.error))
      return finish(a, proto::connection_failure(std::move(res.error)));
    log::info(component, "update " + a->call_sid + ": " + res.error + "; trying once more");
    auto timer = std::make_shared<asio::steady_timer>(a->io, a->options->retry_delay);
    timer->async_wait([a, timer](const boost::system::error_code&) { send_attempt(a); });
  });
}

} // namespace

twilio_rest_options rest_options_from(const twilio_config& twilio) {
  twilio_rest_options o;
  o.base_url = twilio.rest_base_url;
  o.account_sid = twilio.account_sid;
  o.auth_token = twilio.auth_token;
  o.timeout = twilio.rest_timeout;
  o.ca_file = twilio.rest_ca_file;
  return o;
}

twilio_rest_client::twilio_rest_client(asio::io_context& io, twilio_rest_options options)
    : io_(io), options_(std::make_shared<const twilio_rest_options>(std::move(options))) {}

void twilio_rest_client::send_update(const std::string& call_sid, proto::call_update update,
                                     callback done) const {
  const std::string what = describe_update(update);
  if (options_->account_sid.empty() || options_->auth_token.empty()) {
    log::warn(component, "update " + call_sid + " (" + what +
                             ") not sent: TWILIO_ACCOUNT_SID or TWILIO_AUTH_TOKEN is not set");
    proto::rest_result r = proto::rest_error{
        proto::rest_error_kind::not_configured, 0, 0, "no account SID or auth token", {}};
    asio::post(io_, [done = std::move(done), r = std::move(r)]() mutable {
      if (done)
        done(std::move(r));
    });
    return;
  }
  auto a = std::make_shared<attempt>(
      attempt{io_, options_,
              proto::build_call_update(options_->base_url, options_->account_sid,
                                       options_->auth_token, call_sid, update),
              call_sid, what, std::move(done)});
  send_attempt(std::move(a));
}

void twilio_rest_client::update_call(const std::string& call_sid, std::string twiml,
                                     callback done) const {
  proto::call_update u;
  u.twiml = std::move(twiml);
  send_update(call_sid, std::move(u), std::move(done));
}

void twilio_rest_client::redirect_call(const std::string& call_sid, std::string url,
                                       callback done) const {
  proto::call_update u;
  u.url = std::move(url);
  u.method = "POST";
  send_update(call_sid, std::move(u), std::move(done));
}

void twilio_rest_client::complete_call(const std::string& call_sid, callback done) const {
  proto::call_update u;
  u.status = "completed";
  send_update(call_sid, std::move(u), std::move(done));
}

} // namespace sb::telephony
