#pragma once
// The console's HTTP surface (issue 5), delegated to from app/routes.cpp:
//   GET  /console                   the page (401 with the login form without a session)
//   POST /console/login             token=... -> 303 to /console + Set-Cookie sb_console
//   POST /console/logout            ends the session
//   POST /console/calls/{sid}/end   ends a live call as an operator
//   GET  /console/feed (WebSocket)  the live feed: JSON snapshots (console/view.hpp)
//   GET  /metrics                   Prometheus text (session cookie or Bearer token),
//                                   unless console.metrics_own_port moves it
//   GET  /console/reports, /console/variants  the Reports and Variants pages (issue 17)
//   GET  /console/api/...           their data as JSON (console/reports.hpp)
//   GET  /console/api/cluster       every node and the calls each holds (console/cluster.hpp)
//   GET  /console/app.js, app.css, reports.js  the pages' scripts and stylesheet (no session
//                                   needed)
// Every console endpoint but login and those two answers 401 without a
// session (or an expired one); with no console token configured, all of
// them answer 404 (console disabled). Every response carries the security
// headers (CSP, Referrer-Policy, nosniff); every POST and the feed's upgrade
// must carry this server's Origin (console/origin.hpp), else 403.

#include "actors/services.hpp"
#include "net/http_server.hpp"

#include <memory>
#include <optional>

namespace sb::console {

class login_throttle;

class console_auth;
class origin_policy;

class console_routes {
public:
  explicit console_routes(const actors::services& svc);
  ~console_routes();

  /// True when the request is the console's (then `respond` has been called
  /// or handed on); false: not ours, `respond` untouched.
  bool on_request(const net::http_request& req, net::responder& respond);

  /// nullopt: not the console's path. Else the upgrade decision as
  /// http_handlers::on_upgrade wants it (nullopt inside: accepted).
  std::optional<std::optional<net::http_response>> on_upgrade(const net::http_request& req,
                                                              const net::ws_connection_ptr& conn);

private:
  void serve_metrics(const net::http_request& req, const net::responder& respond);
  void log_in(const net::http_request& req, const net::responder& respond);
  /// What a logged-in operator may ask for.
  void serve_session(const net::http_request& req, const net::responder& respond);

  actors::services svc_;
  std::unique_ptr<console_auth> auth_;
  std::unique_ptr<login_throttle> logins_;
  std::unique_ptr<origin_policy> origins_;
};

/// Handlers for the separate, unauthenticated metrics listener: GET /metrics only.
net::http_handlers metrics_only_handlers(std::shared_ptr<metrics::switchboard_metrics> m);

/// The exposition format's content type.
inline constexpr const char* metrics_content_type = "text/plain; version=0.0.4; charset=utf-8";

} // namespace sb::console
