#include "tests/support/twiml_app.hpp"

#include "net/http_server.hpp"
#include "protocol/twilio_signature.hpp"

#include <map>
#include <stdexcept>

namespace sb::test {

struct twiml_app::state {
  std::string auth_token;
  std::string public_url;
  mutable std::mutex mu;
  std::map<std::string, std::string, std::less<>> answers;
  std::vector<twiml_app_request> requests;
};

twiml_app::twiml_app(boost::asio::io_context& io, std::string auth_token, std::string public_url)
    : public_url_(public_url), state_(std::make_shared<state>()) {
  state_->auth_token = std::move(auth_token);
  state_->public_url = std::move(public_url);
  net::http_handlers h;
  h.on_request = [s = state_](net::http_request req, net::responder respond) {
    auto params = proto::parse_form(req.body);
    twiml_app_request r{req.method, req.target, params ? *params : proto::form_params{}, false};
    r.signature_ok = proto::twilio_signature_valid(s->auth_token, s->public_url + req.target,
                                                   r.params, req.header("X-Twilio-Signature"));
    std::optional<std::string> body;
    {
      std::lock_guard lock(s->mu);
      s->requests.push_back(r);
      if (auto it = s->answers.find(req.path()); it != s->answers.end())
        body = it->second;
    }
    respond(body ? net::http_response::xml(*body) : net::http_response::text(404, "no such path"));
  };
  auto server = net::http_server::start(io, net::http_server_options{}, std::move(h));
  if (!server)
    throw std::runtime_error("twiml_app: " + server.err().message);
  server_ = std::move(*server);
}

twiml_app::~twiml_app() {
  server_->stop_accepting();
}

void twiml_app::answer(const std::string& path, std::string body) {
  std::lock_guard lock(state_->mu);
  state_->answers[path] = std::move(body);
}

std::string twiml_app::server_url() const {
  return "http://127.0.0.1:" + std::to_string(server_->port());
}

std::vector<twiml_app_request> twiml_app::requests() const {
  std::lock_guard lock(state_->mu);
  return state_->requests;
}

std::optional<twiml_app_request> twiml_app::request_to(std::string_view path) const {
  for (auto& r : requests())
    if (std::string_view(r.target).substr(0, r.target.find('?')) == path)
      return r;
  return std::nullopt;
}

std::string param(const proto::form_params& params, std::string_view name) {
  return proto::form_value(params, name);
}

} // namespace sb::test
