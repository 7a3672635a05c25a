#pragma once
// Internal to sb_protocol: tolerant readers over RapidJSON values. Every
// accessor answers "absent" for a missing member or a member of the wrong
// type, so no input can make a parser crash or throw.

#include <rapidjson/document.h>

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace sb::proto::json {

using value = rapidjson::Value;

/// A Document whose first 64 KiB of values live in a per-thread buffer, and
/// whose strings stay in a per-thread copy of the text (parsed in place): a
/// Realtime audio delta or a Twilio media frame parses without touching the
/// heap (50 frames/s per call, both directions). Not re-entrant per thread,
/// which the parsers are not: a value is valid until the thread's next parse.
class pooled_document {
public:
  pooled_document();
  pooled_document(const pooled_document&) = delete;
  pooled_document& operator=(const pooled_document&) = delete;

  /// Parses iteratively (deep nesting cannot exhaust the stack). False when
  /// `text` is not one JSON object.
  bool parse_object(std::string_view text);

  const value& root() const { return doc_; }

private:
  rapidjson::MemoryPoolAllocator<> pool_;
  rapidjson::Document doc_;
};

/// Member `name` when it is an object, else nullptr.
const value* object(const value& v, const char* name);

/// Member `name` when it is a string, else empty.
std::string_view string(const value& v, const char* name);

/// True and sets `out` when member `name` is an integer, an integral double
/// in int64 range, or a string of decimal digits (Twilio sends numbers as
/// strings). Anything else leaves `out` unchanged.
bool integer(const value& v, const char* name, int64_t& out);

/// True when `s` can stand between JSON quotes as it is: no control
/// character, quote or backslash (what RapidJSON's Writer escapes; it
/// passes every other byte through). Base64 and our ids always are.
bool plain_string(std::string_view s);

/// Joins `parts` into one string with one allocation: the hot messages'
/// JSON (an audio frame 50 times a second per call each way), built from
/// literals and plain_string() values, byte for byte what the Writer would
/// write.
std::string join(std::initializer_list<std::string_view> parts);

/// Copies member `name` into `out` when it is a string.
inline void copy_string(const value& v, const char* name, std::string& out) {
  std::string_view s = string(v, name);
  if (!s.empty())
    out.assign(s.data(), s.size());
}

} // namespace sb::proto::json
