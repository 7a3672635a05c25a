#pragma once
// The process-wide handles every call needs, passed by value into spawns.

#include "actors/interfaces.hpp"
#include "actors/webhook_answer.hpp"
#include "common/log.hpp"
#include "config/config.hpp"
#include "metrics/switchboard_metrics.hpp"
#include "recording/wav_writer.hpp"

#include <functional>
#include <memory>
#include <string>

namespace boost::asio {
class io_context;
}

namespace sb::telephony {
class twilio_rest_client;
}

namespace sb::actors {

/// Observes a call as it happens (the demo prints it; the console streams it).
/// Called from actor threads: must be thread-safe and quick.
using call_observer = std::function<void(const std::string& call_sid, const std::string& line)>;

struct services {
  std::shared_ptr<const config> cfg;
  boost::asio::io_context* io = nullptr; ///< sockets run here
  storage_actor storage;                 ///< spawn_storage
  call_registry_actor registry;          ///< spawn_registry
  notifier_actor notifier;               ///< spawn_notifier
  slot_holds_actor holds; ///< spawn_slot_holds; null: no holds (check_availability as before)
  call_observer observer; ///< may be empty
  introspection_actor introspection;                     ///< the console's; null: no console
  std::shared_ptr<metrics::switchboard_metrics> metrics; ///< may be null (then nothing is counted)
  std::shared_ptr<tenant_cache> tenants; ///< the webhook's tenant cache; may be null
  /// Twilio's REST API (transfers); null: no account configured, no transfers.
  std::shared_ptr<const telephony::twilio_rest_client> rest;
  /// Writes the recordings of tenants that record (recording/); null: none.
  std::shared_ptr<recording::wav_writer> recorder;
  /// Call limits, shared by the webhook route and the registry; null: none.
  std::shared_ptr<call_admission> admission;
  std::string
      call_sid; ///< set by a call's supervisor in the copy its children get (reports name it)
  /// Set with call_sid: the call and its tenant, for the log's JSON lines.
  log::context log;
};

} // namespace sb::actors
