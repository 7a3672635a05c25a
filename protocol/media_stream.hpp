#pragma once
// Twilio Media Streams messages (docs/protocols.md 2): parsed from and built
// to JSON text frames. No I/O.

#include "common/result.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sb::proto {

enum class twilio_event_type { connected, start, media, mark, dtmf, stop, unknown };

struct twilio_event {
  twilio_event_type type = twilio_event_type::unknown;
  std::string type_name;  ///< the "event" field as received
  std::string stream_sid; ///< MZ...
  int64_t sequence = -1;  ///< sequenceNumber (arrives as a string)
  // start
  std::string account_sid, call_sid;
  std::vector<std::pair<std::string, std::string>> custom_parameters;
  std::string encoding; ///< mediaFormat.encoding, "audio/x-mulaw"
  int sample_rate = 0;
  // media
  std::string track;
  int64_t chunk = -1;
  int64_t timestamp_ms = -1;
  std::string payload_b64; ///< validated base64, not decoded
  // mark
  std::string mark_name;
  // dtmf
  std::string digit;
};

/// Errors: {"malformed_json"}, {"missing_field"} (names it), {"bad_base64"}
/// for a media payload that is not base64, {"bad_format"} for a start whose
/// mediaFormat is not 8 kHz mu-law. An unknown "event" is NOT an error: it
/// returns type unknown with type_name set.
result<twilio_event> parse_twilio_event(std::string_view json);

std::string build_twilio_media(std::string_view stream_sid, std::string_view payload_b64);
std::string build_twilio_mark(std::string_view stream_sid, std::string_view name);
std::string build_twilio_clear(std::string_view stream_sid);

/// Value of a start.customParameters entry, or empty.
std::string custom_parameter(const twilio_event& e, std::string_view name);

} // namespace sb::proto
