#include "metrics/switchboard_metrics.hpp"

namespace sb::metrics {

namespace {

// Relay latency is the bridge's own hop (sub-millisecond to a few ms); turn
// latency is the caller-perceived wait (hundreds of ms to seconds).
const std::vector<double> relay_bounds{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25};
const std::vector<double> turn_bounds{0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10};
const std::vector<double> tool_bounds{0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

constexpr const char* relay_name = "switchboard_relay_latency_seconds";
constexpr const char* relay_help = "Time an audio frame spends inside the bridge, by direction";
constexpr const char* bytes_name = "switchboard_audio_bytes_relayed_total";
constexpr const char* bytes_help = "Audio bytes (decoded G.711 mu-law) relayed, by direction";

} // namespace

switchboard_metrics::switchboard_metrics(const std::string& node_id)
    : reg({{"node", node_id}}),
      active_calls(reg.get_gauge("switchboard_active_calls", "Calls in progress")),
      openai_reconnects(reg.get_counter("switchboard_openai_reconnects_total",
                                        "OpenAI Realtime legs re-established after a drop")),
      openai_recycles(
          reg.get_counter("switchboard_openai_recycles_total",
                          "Calls moved to a fresh OpenAI Realtime session before its time limit")),
      barge_ins(reg.get_counter("switchboard_barge_ins_total",
                                "Times a caller interrupted the assistant")),
      bytes_caller_to_openai(
          reg.get_counter(bytes_name, bytes_help, {{"direction", "caller_to_openai"}})),
      bytes_openai_to_caller(
          reg.get_counter(bytes_name, bytes_help, {{"direction", "openai_to_caller"}})),
      relay_latency_upstream(reg.get_histogram(relay_name, relay_help, relay_bounds,
                                               {{"direction", "caller_to_openai"}})),
      relay_latency_downstream(reg.get_histogram(relay_name, relay_help, relay_bounds,
                                                 {{"direction", "openai_to_caller"}})),
      turn_latency(reg.get_histogram("switchboard_turn_latency_seconds",
                                     "Caller speech end to first assistant audio sent to Twilio",
                                     turn_bounds)),
      job_card_latency(reg.get_histogram("switchboard_job_card_latency_seconds",
                                         "A call's end to its job card stored, analysis included",
                                         turn_bounds)),
      storage_pending_writes(
          reg.get_gauge("switchboard_storage_pending_writes",
                        "Writes kept in memory, in order, until the database takes them")),
      storage_write_failures(reg.get_counter("switchboard_storage_write_failures_total",
                                             "Database writes refused, each retry counted")),
      storage_writes_dropped(
          reg.get_counter("switchboard_storage_writes_dropped_total",
                          "Database writes given up because they are wrong in themselves")) {
  // Declared up front so that the families show (empty) before the first event.
  reg.get_counter("switchboard_calls_ended_total", "Calls ended, by end reason");
  reg.get_counter("switchboard_tool_calls_total", "Tool calls, by tool name and outcome");
  reg.get_histogram("switchboard_tool_call_duration_seconds", "Tool call durations, by tool name",
                    tool_bounds);
  reg.get_counter("switchboard_tokens_total", "Realtime API tokens used, by kind");
  reg.get_counter("switchboard_calls_refused_total",
                  "Callers turned away at the webhook by a limit, by reason");
}

void switchboard_metrics::call_refused(const char* reason) {
  reg.get_counter("switchboard_calls_refused_total", "", {{"reason", reason}}).inc();
}

void switchboard_metrics::call_ended(end_reason reason) {
  reg.get_counter("switchboard_calls_ended_total", "", {{"reason", std::string{to_string(reason)}}})
      .inc();
}

void switchboard_metrics::tool_call(const std::string& name, bool ok, double seconds) {
  reg.get_counter("switchboard_tool_calls_total", "",
                  {{"name", name}, {"outcome", ok ? "ok" : "error"}})
      .inc();
  reg.get_histogram("switchboard_tool_call_duration_seconds", "", tool_bounds, {{"name", name}})
      .observe(seconds);
}

void switchboard_metrics::tokens(int64_t input_text, int64_t input_audio, int64_t input_cached,
                                 int64_t output_text, int64_t output_audio) {
  auto add = [&](const char* kind, int64_t n) {
    if (n > 0)
      reg.get_counter("switchboard_tokens_total", "", {{"kind", kind}}).inc(static_cast<double>(n));
  };
  add("input_text", input_text);
  add("input_audio", input_audio);
  add("input_cached", input_cached);
  add("output_text", output_text);
  add("output_audio", output_audio);
}

} // namespace sb::metrics
