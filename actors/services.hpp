#pragma once
// The process-wide handles every call needs, passed by value into spawns.

#include "config/config.hpp"
#include "actors/webhook_answer.hpp"
#include "metrics/switchboard_metrics.hpp"

#include <caf/actor.hpp>

#include <functional>
#include <memory>
#include <string>

namespace boost::asio {
class io_context;
}

namespace sb::actors {

/// Observes a call as it happens (the demo prints it; the console streams it).
/// Called from actor threads: must be thread-safe and quick.
using call_observer = std::function<void(const std::string& call_sid, const std::string& line)>;

struct services {
  std::shared_ptr<const config> cfg;
  boost::asio::io_context* io = nullptr; ///< sockets run here
  caf::actor storage;  ///< storage actor (spawn_storage)
  caf::actor registry; ///< call registry (spawn_registry)
  caf::actor notifier; ///< outbox notifier (spawn_notifier)
  call_observer observer; ///< may be empty
  caf::actor introspection; ///< the console's introspection actor; null: no console
  std::shared_ptr<metrics::switchboard_metrics> metrics; ///< may be null (then nothing is counted)
  std::shared_ptr<tenant_cache> tenants; ///< the webhook's tenant cache; may be null
  std::string call_sid; ///< set by a call's supervisor in the copy its children get (reports name it)
};

} // namespace sb::actors
