#pragma once
// OpenAI Realtime API, GA protocol (docs/protocols.md 3): client events built
// as JSON text, server events parsed into one flat struct. No I/O.

#include "common/result.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sb::proto {

// -- client events ------------------------------------------------------------

struct tool_spec {
  std::string name;
  std::string description;
  std::string parameters_json; ///< a JSON Schema object, as text
};

struct session_params {
  std::string model = "gpt-realtime";
  std::string instructions;
  std::string voice = "marin";
  double speed = 1.0;
  std::string transcription_model = "whisper-1";
  std::string language = "en"; ///< input transcription's, ISO 639-1; "": not known (left out)
  double vad_threshold = 0.5;
  int prefix_padding_ms = 300;
  int silence_duration_ms = 500;
  std::vector<tool_spec> tools;
};

/// turn_detection.interrupt_response as session.update sends it. With it the
/// service cancels any response in progress itself when its VAD hears the
/// caller start (RealtimeAudioInputTurnDetection.interrupt_response in
/// OpenAI's published schema: "If `true` then the response will be
/// cancelled"), so a barge-in needs no response.cancel from the bridge.
inline constexpr bool vad_interrupts_response = true;

/// session.update, GA shape: session.type "realtime", output_modalities
/// ["audio"], audio/pcmu in and out, server_vad with create_response and
/// interrupt_response, input transcription, near_field noise reduction, tools.
std::string build_session_update(const session_params& p);

std::string build_input_audio_append(std::string_view audio_b64);

/// conversation.item.create with a message item; role "user" uses
/// input_text content, "assistant" uses output_text (for replay after a
/// reconnect), "system" input_text.
std::string build_message_item(std::string_view role, std::string_view text);

/// conversation.item.create {type: function_call_output, call_id, output}.
std::string build_function_call_output(std::string_view call_id, std::string_view output);

/// conversation.item.create {type: function_call, call_id, name, arguments}
/// (replays a tool call after a reconnect).
std::string build_function_call_item(std::string_view call_id, std::string_view name,
                                     std::string_view arguments);

std::string build_truncate(std::string_view item_id, int content_index, int64_t audio_end_ms);

/// response.create; with `instructions` non-empty, response.instructions is set.
std::string build_response_create(std::string_view instructions = {});

std::string build_response_cancel();

/// The metadata.purpose of the post-call analysis response, so its
/// response.done is told apart from the conversation's responses.
inline constexpr std::string_view analysis_purpose = "post_call_analysis";
/// response.create for the post-call analysis (docs/protocols.md 3,
/// "Post-call analysis"): out of band (`conversation: "none"`: the answer is
/// not added to the default conversation, which it still reads as context),
/// text output only, `metadata.purpose` = analysis_purpose.
std::string build_analysis_request(std::string_view instructions);

// -- server events ------------------------------------------------------------

enum class rt_type {
  session_created,
  session_updated,
  speech_started,  ///< input_audio_buffer.speech_started (barge-in signal)
  speech_stopped,  ///< input_audio_buffer.speech_stopped
  audio_committed, ///< input_audio_buffer.committed
  audio_timeout,   ///< input_audio_buffer.timeout_triggered
  item_added,      ///< conversation.item.added
  item_done,       ///< conversation.item.done
  input_transcript_delta,
  input_transcript_completed,
  input_transcript_failed,
  response_created,
  response_done,
  output_item_added,
  output_item_done,
  output_audio_delta,
  output_audio_done,
  output_transcript_delta,
  output_transcript_done,
  function_args_delta,
  function_args_done,
  rate_limits_updated,
  error,
  unknown, ///< a well-formed event of a type we do not handle
};

/// response.done `usage`, by kind. Input counts include their cached part:
/// input_cached (`cached_tokens`) splits into input_cached_text and
/// input_cached_audio (`cached_tokens_details`), each a subset of
/// input_text and input_audio (OpenAI's schema, RealtimeResponse.usage).
struct token_usage {
  int64_t input_text = 0, input_audio = 0, input_cached = 0;
  int64_t input_cached_text = 0, input_cached_audio = 0;
  int64_t output_text = 0, output_audio = 0;
  token_usage& operator+=(const token_usage& o) {
    input_text += o.input_text;
    input_audio += o.input_audio;
    input_cached += o.input_cached;
    input_cached_text += o.input_cached_text;
    input_cached_audio += o.input_cached_audio;
    output_text += o.output_text;
    output_audio += o.output_audio;
    return *this;
  }
};

struct rt_event {
  rt_type type = rt_type::unknown;
  std::string type_name; ///< "type" as received
  std::string event_id;
  std::string item_id; ///< item_id, or item.id for item events
  std::string response_id;
  std::string item_type; ///< item.type: "message", "function_call", ...
  std::string item_role; ///< item.role
  int content_index = 0;
  std::string delta;                              ///< audio (base64) or text delta
  std::string text;                               ///< transcript / final text (.completed, .done)
  std::string call_id, name, arguments;           ///< function calls
  int64_t audio_start_ms = -1, audio_end_ms = -1; ///< speech_started/stopped
  std::string response_status; ///< response.done: completed, cancelled, failed, incomplete
  token_usage usage;           ///< response.done usage
  std::string error_type, error_code, error_message; ///< error events
  /// response.done: response.metadata.purpose, and the text of its
  /// output_text content parts (an out-of-band text response).
  std::string purpose, output_text;
};

/// Errors: {"malformed_json"}, {"missing_field"} (no "type"). Unknown types
/// parse as rt_type::unknown.
result<rt_event> parse_server_event(std::string_view json);

// -- the other direction, for the simulated Realtime peer ----------------------

/// Type name of a client event ("session.update", ...) or error.
result<std::string> client_event_type(std::string_view json);

} // namespace sb::proto
