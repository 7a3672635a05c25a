#pragma once
// Internal to sb_protocol: tolerant readers over RapidJSON values. Every
// accessor answers "absent" for a missing member or a member of the wrong
// type, so no input can make a parser crash or throw.

#include <rapidjson/document.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace sb::proto::json {

using value = rapidjson::Value;

/// A Document whose first 64 KiB of values live in a per-thread buffer: a
/// Realtime audio delta or a Twilio media frame parses without touching the
/// heap (50 frames/s per call, both directions). Not re-entrant per thread,
/// which the parsers are not.
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

/// Copies member `name` into `out` when it is a string.
inline void copy_string(const value& v, const char* name, std::string& out) {
  std::string_view s = string(v, name);
  if (!s.empty())
    out.assign(s.data(), s.size());
}

} // namespace sb::proto::json
