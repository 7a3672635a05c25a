// The REST API stand-in (twilio_rest.hpp): net's http_server, one handler,
// the calls in a map under a mutex. What it answers and why is in
// docs/protocols.md 6; the error codes and their HTTP statuses are Twilio's
// (https://www.twilio.com/docs/errors/20003, /20404, /21220).

#include "sim/twilio_rest.hpp"

#include "net/http_server.hpp"
#include "protocol/twilio_rest.hpp"

#include <openssl/crypto.h>

#include <functional>
#include <map>
#include <mutex>

namespace sb::sim {

namespace {

namespace code = proto::twilio_code;

bool terminal(const std::string& status) {
  return status == "completed" || status == "canceled" || status == "failed" || status == "busy" ||
         status == "no-answer";
}

bool same_secret(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

/// What one request does: the answer, and what the call is then told.
struct decision {
  int status = 200;
  int code = 0;
  std::string message;
  std::string call_status;
  std::function<void()> act;
};

struct known_call {
  rest_call_state state;
  std::weak_ptr<call_leg> leg;
};

class rest_impl : public twilio_rest, public std::enable_shared_from_this<rest_impl> {
public:
  explicit rest_impl(twilio_rest_options o) : o_(std::move(o)) {}

  status listen(boost::asio::io_context& io) {
    net::http_server_options so;
    so.bind_address = o_.bind_address;
    so.port = o_.port;
    so.tls_cert_pem = o_.tls_cert_pem;
    so.tls_key_pem = o_.tls_key_pem;
    net::http_handlers h;
    h.on_request = [weak = weak_from_this()](net::http_request req, net::responder respond) {
      if (auto self = weak.lock())
        return self->handle(req, respond);
      respond(net::http_response::text(503, "stopped"));
    };
    auto server = net::http_server::start(io, so, std::move(h));
    if (!server)
      return server.err();
    server_ = std::move(*server);
    return ok_status();
  }

  std::string base_url() const override {
    return std::string(server_->tls() ? "https" : "http") +
           "://127.0.0.1:" + std::to_string(server_->port());
  }
  const std::string& account_sid() const override { return o_.account_sid; }
  std::vector<rest_log_entry> requests() const override {
    std::lock_guard lock(mu_);
    return log_;
  }
  std::optional<rest_call_state> call(const std::string& sid) const override {
    std::lock_guard lock(mu_);
    auto it = calls_.find(sid);
    if (it == calls_.end())
      return std::nullopt;
    return it->second.state;
  }
  std::string recording_url(const std::string& recording_sid) const override {
    return base_url() + "/2010-04-01/Accounts/" + o_.account_sid + "/Recordings/" + recording_sid;
  }
  void stop() override { server_->stop_accepting(); }

  void call_placed(const std::string& sid, const std::string& from, const std::string& to,
                   std::weak_ptr<call_leg> leg) override {
    std::lock_guard lock(mu_);
    calls_[sid] = known_call{rest_call_state{sid, from, to, "ringing", {}, 0}, std::move(leg)};
  }
  void call_status(const std::string& sid, const std::string& status) override {
    std::lock_guard lock(mu_);
    if (auto it = calls_.find(sid); it != calls_.end())
      it->second.state.status = status;
  }
  void call_twiml(const std::string& sid, const std::string& twiml) override {
    std::lock_guard lock(mu_);
    if (auto it = calls_.find(sid); it != calls_.end())
      it->second.state.twiml = twiml;
  }

private:
  void handle(const net::http_request& req, const net::responder& respond) {
    rest_log_entry entry{req.method, std::string(req.path()), {}, 0, 0, {}};
    auto params = proto::parse_form(req.body);
    if (params)
      entry.params = *params;
    decision d = decide(req, entry.path, params ? &*params : nullptr);
    entry.status = d.status;
    entry.code = d.code;
    entry.call_status = d.call_status;
    {
      std::lock_guard lock(mu_);
      log_.push_back(entry);
    }
    auto res = d.code != 0 ? net::http_response::json(
                                 d.status, proto::rest_error_json(d.code, d.message, d.status))
                           : net::http_response::json(d.status, d.message);
    if (d.code == code::authenticate)
      res.headers.emplace_back("WWW-Authenticate", "Basic realm=\"Twilio API\"");
    respond(std::move(res));
    if (d.act)
      d.act(); // after answering, as Twilio answers before the call changes course
  }

  static decision refuse(int status, int error_code, std::string message) {
    return decision{status, error_code, std::move(message), {}, {}};
  }

  decision decide(const net::http_request& req, const std::string& path,
                  const proto::form_params* params) {
    // Twilio authenticates before anything else: a bad token never learns
    // whether a call exists.
    auto creds = proto::parse_basic_authorization(req.header("Authorization"));
    if (!creds || creds->first != o_.account_sid || !same_secret(creds->second, o_.auth_token))
      return refuse(401, code::authenticate, "Authenticate");
    auto ids = proto::parse_call_path(path);
    const std::string not_found = "The requested resource " + path + " was not found";
    if (!ids || ids->first != o_.account_sid)
      return refuse(404, code::not_found, not_found);
    if (req.method != "POST" && req.method != "GET")
      return refuse(405, 20004, "Method not allowed");
    if (req.method == "POST" && !params)
      return refuse(400, 21200, "The request body is not form-encoded"); // 21200: "Calls Resource"
    std::lock_guard lock(mu_);
    auto it = calls_.find(ids->second);
    if (it == calls_.end())
      return refuse(404, code::not_found, not_found);
    known_call& c = it->second;
    if (c.leg.expired() && !terminal(c.state.status))
      c.state.status = "completed"; // the caller went away without a word
    if (req.method == "GET")
      return ok(c);
    return update(c, *params);
  }

  decision ok(const known_call& c) const {
    proto::twilio_call call{c.state.sid,  o_.account_sid, c.state.status,
                            c.state.from, c.state.to,     "inbound"};
    return decision{200, 0, proto::call_json(call), c.state.status, {}};
  }

  /// Under mu_: Status, else Twiml, else Url (Twiml and Url are exclusive
  /// in Twilio's API; the stand-in takes Twiml first).
  decision update(known_call& c, const proto::form_params& params) {
    const std::string status = proto::form_value(params, "Status");
    const std::string twiml = proto::form_value(params, "Twiml");
    const std::string url = proto::form_value(params, "Url");
    if (!status.empty() && status != "completed" && status != "canceled")
      return refuse(400, 21200, "Status must be completed or canceled");
    if (terminal(c.state.status))
      return refuse(400, code::call_not_in_progress, "Call is not in-progress. Cannot redirect.");
    auto leg = c.leg;
    std::function<void()> act;
    if (status == "completed" || (status == "canceled" && c.state.status == "ringing")) {
      c.state.status = status; // canceling an answered call has no effect (Twilio's docs)
      act = [leg] {
        if (auto l = leg.lock())
          l->hang_up();
      };
    } else if (!twiml.empty()) {
      c.state.twiml = twiml;
      act = [leg, twiml] {
        if (auto l = leg.lock())
          l->run_twiml(twiml);
      };
    } else if (!url.empty()) {
      std::string method = proto::form_value(params, "Method");
      act = [leg, url, method = method.empty() ? "POST" : method] {
        if (auto l = leg.lock())
          l->fetch_twiml(url, method);
      };
    }
    ++c.state.updates;
    decision d = ok(c);
    d.act = std::move(act);
    return d;
  }

  twilio_rest_options o_;
  std::shared_ptr<net::http_server> server_;
  mutable std::mutex mu_;
  std::map<std::string, known_call> calls_;
  std::vector<rest_log_entry> log_;
};

} // namespace

std::string rest_log_entry::describe() const {
  std::string s = method + " " + path;
  for (const auto& [k, v] : params)
    s += " " + k + "=" + (v.size() > 60 ? v.substr(0, 57) + "..." : v);
  s += " -> " + std::to_string(status);
  if (code != 0)
    s += " (Twilio error " + std::to_string(code) + ")";
  if (!call_status.empty())
    s += " " + call_status;
  return s;
}

result<std::shared_ptr<twilio_rest>> twilio_rest::start(boost::asio::io_context& io,
                                                        twilio_rest_options options) {
  auto rest = std::make_shared<rest_impl>(std::move(options));
  if (auto st = rest->listen(io); !st)
    return st.err();
  return std::shared_ptr<twilio_rest>(std::move(rest));
}

} // namespace sb::sim
