// Tolerant JSON readers for the protocol parsers (see json_util.hpp).

#include "protocol/json_util.hpp"

#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <vector>

namespace sb::proto::json {

namespace {

constexpr std::size_t pool_bytes = 64 * 1024;
// RapidJSON puts its chunk header (pointers and sizes) at the start of the
// buffer: it must be aligned for them. A char array need not be (clang laid
// it out at 4 mod 8: UBSan, found by fuzz/realtime_event; docs/fuzzing.md).
alignas(std::max_align_t) thread_local std::array<char, pool_bytes> pool_buffer;
/// The text being parsed, in place (parse_object): its strings live here
/// until the thread's next parse. Grows to the largest text seen.
thread_local std::vector<char> insitu_buffer;
/// The NUL that ends the copy, and room for a 16-byte read beyond it.
constexpr std::size_t insitu_slack = 1 + 16;

} // namespace

pooled_document::pooled_document() : pool_(pool_buffer.data(), pool_buffer.size()), doc_(&pool_) {}

bool pooled_document::parse_object(std::string_view text) {
  // Parsed in place, in a copy of the text: a string is found where it
  // lies, not copied through the parser's stack one character at a time
  // (half the cost of a 1,260-byte audio delta: bench/frame_cost/). The
  // copy ends in a NUL, and 16 spare bytes: RapidJSON's SSE2 scans, should
  // RAPIDJSON_SSE2 ever be defined, read whole aligned 16-byte blocks up to
  // the one holding the NUL. A NUL would end the text early, so a text that
  // holds one is refused: RFC 8259 allows none in JSON text (in a string it
  // must be escaped).
  if (std::memchr(text.data(), '\0', text.size()) != nullptr)
    return false;
  if (insitu_buffer.size() < text.size() + insitu_slack)
    insitu_buffer.resize(text.size() + insitu_slack);
  std::memcpy(insitu_buffer.data(), text.data(), text.size());
  insitu_buffer[text.size()] = '\0';
  doc_.ParseInsitu<rapidjson::kParseIterativeFlag>(insitu_buffer.data());
  return !doc_.HasParseError() && doc_.IsObject();
}

bool plain_string(std::string_view s) {
  // No early exit and a byte-wide OR: GCC vectorizes the loop (a
  // 1,068-character delta in ~70 16-byte steps).
  unsigned char escaped = 0;
  for (unsigned char u : s)
    escaped |= static_cast<unsigned char>((u < 0x20) | (u == '"') | (u == '\\'));
  return escaped == 0;
}

std::string join(std::initializer_list<std::string_view> parts) {
  std::size_t size = 0;
  for (auto part : parts)
    size += part.size();
  std::string out;
  out.reserve(size);
  for (auto part : parts)
    out.append(part.data(), part.size());
  return out;
}

const value* object(const value& v, const char* name) {
  if (!v.IsObject())
    return nullptr;
  auto it = v.FindMember(name);
  if (it == v.MemberEnd() || !it->value.IsObject())
    return nullptr;
  return &it->value;
}

std::string_view string(const value& v, const char* name) {
  if (!v.IsObject())
    return {};
  auto it = v.FindMember(name);
  if (it == v.MemberEnd() || !it->value.IsString())
    return {};
  return {it->value.GetString(), it->value.GetStringLength()};
}

bool integer(const value& v, const char* name, int64_t& out) {
  if (!v.IsObject())
    return false;
  auto it = v.FindMember(name);
  if (it == v.MemberEnd())
    return false;
  const value& x = it->value;
  if (x.IsInt64()) {
    out = x.GetInt64();
    return true;
  }
  if (x.IsDouble()) {
    double d = x.GetDouble();
    // 2^63 is exactly representable; anything at or beyond it does not fit.
    if (!std::isfinite(d) || d != std::trunc(d) || d >= 9223372036854775808.0 ||
        d < -9223372036854775808.0)
      return false;
    out = static_cast<int64_t>(d);
    return true;
  }
  if (x.IsString()) {
    const char* b = x.GetString();
    const char* e = b + x.GetStringLength();
    int64_t parsed = 0;
    auto [ptr, ec] = std::from_chars(b, e, parsed);
    if (ec != std::errc{} || ptr != e || b == e)
      return false;
    out = parsed;
    return true;
  }
  return false;
}

} // namespace sb::proto::json
