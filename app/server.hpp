#pragma once
// The whole Switchboard server in one object: the SQLite store, the actor
// system (storage, registry, notifier, and one supervisor per call), the Asio
// loop and the HTTP(S) server. `serve`, `demo`, the tests and the benchmark
// all run this same object.

#include "actors/services.hpp"
#include "common/result.hpp"
#include "config/config.hpp"

#include <memory>

namespace sb::app {

class server {
public:
  /// Opens the database, starts the actors and binds the port.
  /// Errors: {"sqlite"|"schema", ...}, {"bind", ...}, {"tls", ...}.
  static result<std::unique_ptr<server>> start(config cfg, actors::call_observer observer = {});
  ~server(); ///< shutdown() if not done

  uint16_t port() const;
  /// The separate /metrics listener's port (console.metrics_own_port); 0 without one.
  uint16_t metrics_port() const;
  const config& cfg() const;

  /// Whether tenant changes are pushed to this node's tenant cache now
  /// (PostgreSQL, listening: app/tenant_notify.hpp).
  bool tenant_changes_pushed() const;

  /// Active calls (asks the registry).
  int active_calls();

  /// Ends one live call as an operator would; false if it is not live.
  bool hang_up(const std::string& call_sid);

  /// Graceful stop: stop accepting, let calls finish up to the grace period,
  /// end the rest (finalized with reason "shutdown"), flush storage, stop.
  void shutdown();

  /// The startup banner (webhook URL to configure in Twilio).
  std::string banner() const;

private:
  struct impl;
  explicit server(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

} // namespace sb::app
