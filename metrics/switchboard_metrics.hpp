#pragma once
// Switchboard's own metrics (GET /metrics): one instance per server, shared
// by the actors and sockets through actors::services. Series with fixed
// labels are looked up once here; the few with open labels (end reason, tool
// name) are looked up per event, which is rare.

#include "common/call_types.hpp"
#include "metrics/registry.hpp"

#include <cstdint>
#include <string>

namespace sb::metrics {

class switchboard_metrics {
public:
  /// Every series carries node="<node_id>" ([server] node_id, issue 16.3).
  explicit switchboard_metrics(const std::string& node_id);

  registry reg; ///< render() for /metrics

  gauge& active_calls;
  counter& openai_reconnects;
  counter& openai_recycles; ///< calls moved to a fresh Realtime session before its time limit
  counter& barge_ins;
  counter& bytes_caller_to_openai;     ///< decoded mu-law bytes relayed upstream
  counter& bytes_openai_to_caller;     ///< decoded mu-law bytes relayed downstream
  histogram& relay_latency_upstream;   ///< Twilio frame in -> OpenAI append out, seconds
  histogram& relay_latency_downstream; ///< OpenAI delta in -> Twilio media out, seconds
  histogram& turn_latency;             ///< caller speech end -> first assistant audio out, seconds
  /// A call's end -> its job card stored (post-call analysis included), seconds;
  /// calls finalized after their server died are not counted (their end is a guess).
  histogram& job_card_latency;
  gauge& storage_pending_writes;   ///< writes kept in memory while the database refuses them
  counter& storage_write_failures; ///< writes (and retries) the database refused
  counter& storage_writes_dropped; ///< writes given up: wrong in themselves (a constraint)

  /// A call ended (labelled by the reason only: label values stay few).
  void call_ended(end_reason reason);
  /// A caller was turned away at the webhook (reason: admission_verdict's name).
  void call_refused(const char* reason);
  /// A tool call finished: outcome "ok" or "error".
  void tool_call(const std::string& name, bool ok, double seconds);
  /// Tokens used by one response (response.done usage).
  void tokens(int64_t input_text, int64_t input_audio, int64_t input_cached, int64_t output_text,
              int64_t output_audio);
};

} // namespace sb::metrics
