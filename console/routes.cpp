#include "console/routes.hpp"

#include "actors/ask.hpp"
#include "actors/messages.hpp"
#include "common/log.hpp"
#include "common/time.hpp"
#include "console/auth.hpp"
#include "console/introspection.hpp"
#include "console/login_throttle.hpp"
#include "console/page.hpp"
#include "protocol/form.hpp"

#include <caf/all.hpp>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace sb::console {

namespace {

using net::http_request;
using net::http_response;

http_response html(int status, std::string body) {
  http_response r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.body = std::move(body);
  // The page is the operator's: never cached, never framed by another site.
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("X-Frame-Options", "DENY");
  return r;
}

http_response metrics_response(const metrics::switchboard_metrics* m) {
  http_response r;
  r.content_type = metrics_content_type;
  r.body = m ? m->reg.render() : "";
  return r;
}

bool starts_with(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p;
}

/// {sid} of /console/calls/{sid}/end; empty when the path is not that.
/// The SID in "/console/calls/SID/<action>" ("" if `path` is not that).
std::string call_action_sid(std::string_view path, std::string_view suffix) {
  constexpr std::string_view prefix = "/console/calls/";
  if (!starts_with(path, prefix) || path.size() <= prefix.size() + suffix.size() ||
      path.compare(path.size() - suffix.size(), suffix.size(), suffix) != 0)
    return "";
  auto sid = path.substr(prefix.size(), path.size() - prefix.size() - suffix.size());
  return sid.find('/') == std::string_view::npos ? std::string(sid) : std::string();
}

/// "Transfer": the registry asks the call's supervisor, which answers ""
/// (the hand-over line is being said) or why not (actors/call_transfer.cpp).
void transfer_call(const actors::services& svc, const std::string& sid, net::responder respond) {
  log::info("Console", "Operator transfers call " + sid);
  actors::ask<std::string>(
      svc.registry, svc.cfg->call.registry_query,
      [respond](std::string& why) {
        if (why.empty())
          return respond(http_response::json(202, R"({"ok":true})"));
        rapidjson::StringBuffer buf;
        rapidjson::Writer<rapidjson::StringBuffer> w{buf};
        w.StartObject();
        w.Key("ok");
        w.Bool(false);
        w.Key("error");
        w.String(why.c_str(), static_cast<rapidjson::SizeType>(why.size()));
        w.EndObject();
        respond(http_response::json(why == "no such live call" ? 404 : 409, buf.GetString()));
      },
      [respond](caf::error&) {
        respond(http_response::json(503, R"({"ok":false,"error":"registry did not answer"})"));
      },
      actors::operator_transfer{sid});
}

} // namespace

console_routes::console_routes(const actors::services& svc)
    : svc_(svc), auth_(std::make_unique<console_auth>(svc.cfg->console.token)),
      logins_(std::make_unique<login_throttle>()) {}

console_routes::~console_routes() = default;

bool console_routes::on_request(const http_request& req, net::responder& respond) {
  const std::string_view path = req.path();
  if (path == "/metrics") {
    if (svc_.cfg->console.metrics_own_port || !auth_->enabled()) {
      respond(http_response::text(404, "not found"));
      return true;
    }
    if (!auth_->has_session(req) && !auth_->has_bearer(req)) {
      auto r = http_response::text(401, "unauthorized");
      r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"switchboard\"");
      respond(std::move(r));
      return true;
    }
    respond(metrics_response(svc_.metrics.get()));
    return true;
  }
  if (path != "/console" && !starts_with(path, "/console/"))
    return false;
  if (!auth_->enabled()) {
    respond(http_response::text(404, "console disabled: set SWITCHBOARD_CONSOLE_TOKEN"));
    return true;
  }
  if (path == "/console/login") {
    if (req.method != "POST") {
      respond(html(405, login_page()));
      return true;
    }
    auto address = login_throttle::address_of(req.remote);
    if (auto wait = logins_->wait_ms(address, now_ms()); wait > 0) {
      // Refused before the token is even looked at: guessing costs time.
      auto r = html(429, login_page("Too many wrong tokens: try again in " +
                                    std::to_string((wait + 999) / 1000) + " s."));
      r.headers.emplace_back("Retry-After", std::to_string((wait + 999) / 1000));
      respond(std::move(r));
      return true;
    }
    auto form = proto::parse_form(req.body);
    std::string token = form ? proto::form_value(*form, "token") : "";
    if (!auth_->token_matches(token)) {
      auto delay = logins_->failed(address, now_ms());
      log::warn(
          "Console",
          "Refused a console login from " + address +
              (delay > 0 ? "; next attempt allowed in " + std::to_string(delay) + " ms" : ""));
      respond(html(401, login_page("Wrong token.")));
      return true;
    }
    logins_->succeeded(address);
    auto r = http_response::text(303, "");
    r.headers.emplace_back("Location", "/console");
    r.headers.emplace_back("Set-Cookie", console_auth::cookie_for(auth_->new_session()));
    r.headers.emplace_back("Cache-Control", "no-store");
    log::info("Console", "Operator logged in from " + req.remote);
    respond(std::move(r));
    return true;
  }
  if (!auth_->has_session(req)) {
    if (path == "/console" && req.method == "GET")
      respond(html(401, login_page()));
    else
      respond(http_response::json(401, R"({"ok":false,"error":"log in first"})"));
    return true;
  }
  if (path == "/console" || path == "/console/") {
    respond(html(200, std::string{console_page()}));
  } else if (path == "/console/logout" && req.method == "POST") {
    auth_->end_session(console_auth::cookie_value(req.header("Cookie"), cookie_name));
    auto r = http_response::text(303, "");
    r.headers.emplace_back("Location", "/console");
    r.headers.emplace_back("Set-Cookie", std::string{cookie_name} +
                                             "=; Max-Age=0; HttpOnly; SameSite=Strict; Path=/");
    respond(std::move(r));
  } else if (auto to = call_action_sid(path, "/transfer"); !to.empty() && req.method == "POST") {
    transfer_call(svc_, to, std::move(respond));
  } else if (auto sid = call_action_sid(path, "/end"); !sid.empty() && req.method == "POST") {
    log::info("Console", "Operator ends call " + sid);
    actors::ask<bool>(
        svc_.registry, svc_.cfg->call.registry_query,
        [respond](bool live) {
          respond(live ? http_response::json(202, R"({"ok":true})")
                       : http_response::json(404, R"({"ok":false,"error":"no such live call"})"));
        },
        [respond](caf::error&) {
          respond(http_response::json(503, R"({"ok":false,"error":"registry did not answer"})"));
        },
        actors::operator_hangup{sid});
  } else {
    respond(http_response::text(404, "not found"));
  }
  return true;
}

std::optional<std::optional<http_response>>
console_routes::on_upgrade(const http_request& req, const net::ws_connection_ptr& conn) {
  if (req.path() != "/console/feed")
    return std::nullopt;
  if (!auth_->enabled())
    return std::optional<http_response>{http_response::text(404, "console disabled")};
  if (!auth_->has_session(req))
    return std::optional<http_response>{http_response::text(401, "unauthorized")};
  auto sink = svc_.introspection;
  auto id = reinterpret_cast<std::uintptr_t>(conn.get());
  conn->set_handlers(net::ws_handlers{
      [](std::string&&) { return true; }, // the feed is one-way
      [sink, id](const std::string&) { caf::anon_send(sink, actors::feed_unsubscribe{id}); }});
  caf::anon_send(sink, actors::feed_subscribe{conn});
  return std::optional<http_response>{std::nullopt};
}

net::http_handlers metrics_only_handlers(std::shared_ptr<metrics::switchboard_metrics> m) {
  net::http_handlers h;
  h.on_request = [m](http_request req, net::responder respond) {
    if (req.path() != "/metrics")
      return respond(http_response::text(404, "not found"));
    if (req.method != "GET")
      return respond(http_response::text(405, "method not allowed"));
    respond(metrics_response(m.get()));
  };
  h.on_upgrade = [](const http_request&,
                    const net::ws_connection_ptr&) -> std::optional<http_response> {
    return http_response::text(404, "not found");
  };
  return h;
}

} // namespace sb::console
