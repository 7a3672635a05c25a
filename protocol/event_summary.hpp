#pragma once
// What the debug switches (DEBUG_REALTIME, DEBUG_TWILIO) log of one wire
// event: its fields as compact JSON, small enough to read and safe to keep.
// No I/O; the tap that logs it is actors/wire_tap.hpp.

#include <cstddef>
#include <string>
#include <string_view>

namespace sb::proto {

/// Strings longer than this (instructions, transcripts, tool schemas) are cut.
inline constexpr std::size_t summary_max_string = 200;

struct event_summary {
  std::string type; ///< the Realtime "type" or the Media Stream "event"; "" if none
  std::string json; ///< one compact JSON value
};

/// A Realtime or Media Stream event (a JSON object, as framed on the wire)
/// with every audio payload replaced by its size ("<1600 bytes base64>": the
/// Realtime `audio` and audio `delta`, Twilio's `media.payload`), strings
/// past summary_max_string cut ("...(+N bytes)"), and any value under a key
/// that names a secret (secret, authorization, api_key, password, token)
/// replaced by "<redacted>". A frame that is not a JSON object (or not
/// UTF-8) becomes a JSON string of its first summary_max_string bytes.
event_summary summarize_event(std::string_view frame);

} // namespace sb::proto
