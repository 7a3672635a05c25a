#include "console/routes.hpp"

#include "actors/ask.hpp"
#include "actors/messages.hpp"
#include "common/log.hpp"
#include "common/log_throttle.hpp"
#include "common/time.hpp"
#include "console/auth.hpp"
#include "console/cluster.hpp"
#include "console/introspection.hpp"
#include "console/login_throttle.hpp"
#include "console/origin.hpp"
#include "console/page.hpp"
#include "console/reports.hpp"
#include "protocol/form.hpp"
#include "recording/retention.hpp"

#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <caf/all.hpp>
#include <fstream>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sstream>

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

/// Every console response: no script, style, frame or connection but the
/// console's own (its page has no inline code: console/page.hpp), never
/// framed, no Referer to another site, no content sniffing (issue 15).
/// Referrer-Policy is same-origin, not no-referrer: under no-referrer a
/// browser sends "Origin: null" with a form's POST (Fetch, "append a request
/// Origin header"), and the login and logout forms need their Origin.
void add_security_headers(http_response& r) {
  r.headers.emplace_back("Content-Security-Policy",
                         "default-src 'none'; script-src 'self'; style-src 'self'; "
                         "connect-src 'self'; img-src 'self'; form-action 'self'; "
                         "base-uri 'none'; frame-ancestors 'none'");
  r.headers.emplace_back("Referrer-Policy", "same-origin");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
}

/// The compiled-in script or stylesheet.
http_response asset(const char* type, std::string_view body) {
  http_response r;
  r.content_type = type;
  r.body = std::string{body};
  r.headers.emplace_back("Cache-Control", "no-cache");
  return r;
}

/// The Origin's value is the client's text: not logged. Anyone can send
/// such requests, so a line per 10 s at most, as for Twilio's refusals.
void log_refused_origin(const http_request& req) {
  static log::throttle refusals{10'000};
  int64_t held_back = 0;
  if (!refusals.allow(now_ms(), held_back))
    return;
  log::warn(
      "Console",
      "Refused a console " + req.method + " " + std::string{req.path()} + " from " + req.remote +
          (req.header("Origin").empty() ? ": no Origin" : ": its Origin is not this server's") +
          log::more_since(held_back));
}

void refuse_origin(const http_request& req, const net::responder& respond) {
  log_refused_origin(req);
  respond(http_response::json(403, R"({"ok":false,"error":"origin not allowed"})"));
}

void hang_up_call(const actors::services& svc, const std::string& sid, net::responder respond) {
  log::info("Console", "Operator ends call " + sid);
  actors::ask<bool>(
      svc.registry, svc.cfg->call.registry_query,
      [respond](bool live) {
        respond(live ? http_response::json(202, R"({"ok":true})")
                     : http_response::json(404, R"({"ok":false,"error":"no such live call"})"));
      },
      [respond](caf::error&) {
        respond(http_response::json(503, R"({"ok":false,"error":"registry did not answer"})"));
      },
      actors::operator_hangup{sid});
}

/// A timer that closes the feed `conn` at `end_ms`, its session's end. An
/// open feed is the session in use (no idle end), but it ends with the
/// session's max lifetime; the page's next check then finds the session gone.
std::shared_ptr<boost::asio::steady_timer>
close_at(boost::asio::io_context* io, const net::ws_connection_ptr& conn, int64_t end_ms) {
  if (io == nullptr || end_ms == 0)
    return nullptr;
  auto t = std::make_shared<boost::asio::steady_timer>(
      *io, std::chrono::milliseconds{std::max<int64_t>(0, end_ms - now_ms())});
  t->async_wait([w = std::weak_ptr<net::ws_connection>{conn}](boost::system::error_code ec) {
    if (auto c = w.lock(); c && !ec)
      c->close();
  });
  return t;
}

http_response metrics_response(const metrics::switchboard_metrics* m) {
  http_response r;
  r.content_type = metrics_content_type;
  r.body = m ? m->reg.render() : "";
  return r;
}

/// A page (HTML) of the console: without a session it answers the login form.
bool is_page(std::string_view path) {
  return path == "/console" || path == "/console/reports" || path == "/console/variants";
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

/// The call's recording (issue 17.3), as a download. The file is where the
/// server writes it (recording/retention.hpp); only finished files are there
/// (a call in progress writes "<file>.part"). Read whole on this thread:
/// 128 KB a minute of call (8 kHz, 2 x 16 bit).
http_response recording_download(const config& cfg, const std::string& sid) {
  bool plain = std::all_of(sid.begin(), sid.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  });
  if (!plain)
    return http_response::text(400, "bad call SID");
  std::ifstream in{recording::recording_path(cfg, sid), std::ios::binary};
  if (!in)
    return http_response::text(404, "no recording of this call (not recorded, not finished, "
                                    "or deleted)");
  std::ostringstream body;
  body << in.rdbuf();
  http_response r;
  r.content_type = "audio/wav";
  r.body = std::move(body).str();
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + sid + ".wav\"");
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

} // namespace

console_routes::console_routes(const actors::services& svc)
    : svc_(svc), auth_(std::make_unique<console_auth>(svc.cfg->console.token,
                                                      svc.cfg->console.session_idle.count(),
                                                      svc.cfg->console.session_max.count())),
      logins_(std::make_unique<login_throttle>()),
      origins_(std::make_unique<origin_policy>(svc.cfg->server.public_url,
                                               !svc.cfg->server.tls_cert.empty() &&
                                                   !svc.cfg->server.tls_key.empty())) {}

console_routes::~console_routes() = default;

bool console_routes::on_request(const http_request& req, net::responder& respond_in) {
  const std::string_view path = req.path();
  if (path != "/metrics" && path != "/console" && !starts_with(path, "/console/"))
    return false;
  net::responder respond = [r = std::move(respond_in)](http_response res) {
    add_security_headers(res);
    r(std::move(res));
  };
  if (path == "/metrics")
    serve_metrics(req, respond);
  else if (!auth_->enabled())
    respond(http_response::text(404, "console disabled: set SWITCHBOARD_CONSOLE_TOKEN"));
  else if (req.method == "GET" && (path == "/console/app.js" || path == "/console/app.css" ||
                                   path == "/console/reports.js"))
    respond(path == "/console/app.css"
                ? asset("text/css; charset=utf-8", console_style())
                : asset("text/javascript; charset=utf-8",
                        path == "/console/app.js" ? console_script() : reports_script()));
  else if (req.method != "GET" && req.method != "HEAD" && !origins_->allows(req))
    refuse_origin(req, respond);
  else if (path == "/console/login")
    log_in(req, respond);
  else if (!auth_->has_session(req, now_ms()))
    respond(is_page(path) && req.method != "POST"
                ? html(401, login_page())
                : http_response::json(401, R"({"ok":false,"error":"log in first"})"));
  else
    serve_session(req, respond);
  return true;
}

void console_routes::serve_metrics(const http_request& req, const net::responder& respond) {
  if (svc_.cfg->console.metrics_own_port || !auth_->enabled())
    return respond(http_response::text(404, "not found"));
  if (!auth_->has_session(req, now_ms()) && !auth_->has_bearer(req)) {
    auto r = http_response::text(401, "unauthorized");
    r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"switchboard\"");
    return respond(std::move(r));
  }
  respond(metrics_response(svc_.metrics.get()));
}

void console_routes::log_in(const http_request& req, const net::responder& respond) {
  if (req.method != "POST")
    return respond(html(405, login_page()));
  auto address = login_throttle::address_of(req.remote);
  if (auto wait = logins_->wait_ms(address, now_ms()); wait > 0) {
    // Refused before the token is even looked at: guessing costs time.
    auto r = html(429, login_page("Too many wrong tokens: try again in " +
                                  std::to_string((wait + 999) / 1000) + " s."));
    r.headers.emplace_back("Retry-After", std::to_string((wait + 999) / 1000));
    return respond(std::move(r));
  }
  auto form = proto::parse_form(req.body);
  std::string token = form ? proto::form_value(*form, "token") : "";
  if (!auth_->token_matches(token)) {
    auto delay = logins_->failed(address, now_ms());
    log::warn("Console",
              "Refused a console login from " + address +
                  (delay > 0 ? "; next attempt allowed in " + std::to_string(delay) + " ms" : ""));
    return respond(html(401, login_page("Wrong token.")));
  }
  logins_->succeeded(address);
  auto r = http_response::text(303, "");
  r.headers.emplace_back("Location", "/console");
  r.headers.emplace_back("Set-Cookie", console_auth::cookie_for(auth_->new_session(now_ms()),
                                                                origins_->over_https(req)));
  r.headers.emplace_back("Cache-Control", "no-store");
  log::info("Console", "Operator logged in from " + req.remote);
  respond(std::move(r));
}

void console_routes::serve_session(const http_request& req, const net::responder& respond) {
  const std::string_view path = req.path();
  if (path == "/console" || path == "/console/") {
    respond(html(200, std::string{console_page()}));
  } else if (path == "/console/reports" || path == "/console/variants") {
    respond(html(200, std::string{path == "/console/reports" ? reports_page() : variants_page()}));
  } else if (serve_report_api(svc_, req, respond)) {
    // answered, or answered when storage replies
  } else if (serve_cluster_api(svc_, req, respond)) {
    // answered when storage and the registry replied (or timed out)
  } else if (path == "/console/logout" && req.method == "POST") {
    auth_->end_session(console_auth::cookie_value(req.header("Cookie"), cookie_name));
    auto r = http_response::text(303, "");
    r.headers.emplace_back("Location", "/console");
    r.headers.emplace_back("Set-Cookie", std::string{cookie_name} +
                                             "=; Max-Age=0; HttpOnly; SameSite=Strict; Path=/" +
                                             (origins_->over_https(req) ? "; Secure" : ""));
    respond(std::move(r));
  } else if (auto to = call_action_sid(path, "/transfer"); !to.empty() && req.method == "POST") {
    transfer_call(svc_, to, respond);
  } else if (auto sid = call_action_sid(path, "/end"); !sid.empty() && req.method == "POST") {
    hang_up_call(svc_, sid, respond);
  } else if (auto rec = call_action_sid(path, "/recording"); !rec.empty() && req.method == "GET") {
    respond(recording_download(*svc_.cfg, rec));
  } else {
    respond(http_response::text(404, "not found"));
  }
}

std::optional<std::optional<http_response>>
console_routes::on_upgrade(const http_request& req, const net::ws_connection_ptr& conn) {
  if (req.path() != "/console/feed")
    return std::nullopt;
  auto refuse = [](http_response r) {
    add_security_headers(r);
    return std::optional<http_response>{std::move(r)};
  };
  if (!auth_->enabled())
    return refuse(http_response::text(404, "console disabled"));
  if (!origins_->allows(req)) {
    log_refused_origin(req);
    return refuse(http_response::text(403, "origin not allowed"));
  }
  if (!auth_->has_session(req, now_ms()))
    return refuse(http_response::text(401, "unauthorized"));
  auto sink = svc_.introspection;
  auto id = reinterpret_cast<std::uintptr_t>(conn.get());
  auto ends = close_at(
      svc_.io, conn,
      auth_->session_end_ms(console_auth::cookie_value(req.header("Cookie"), cookie_name)));
  conn->set_handlers(net::ws_handlers{[](std::string&&) { return true; }, // the feed is one-way
                                      [sink, id, ends](const std::string&) {
                                        if (ends)
                                          ends->cancel();
                                        caf::anon_send(sink, actors::feed_unsubscribe{id});
                                      }});
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
