// Tolerant JSON readers for the protocol parsers (see json_util.hpp).

#include "protocol/json_util.hpp"

#include <charconv>
#include <cmath>
#include <cstddef>

namespace sb::proto::json {

namespace {

constexpr std::size_t pool_bytes = 64 * 1024;
// RapidJSON puts its chunk header (pointers and sizes) at the start of the
// buffer: it must be aligned for them. A char array need not be (clang laid
// it out at 4 mod 8: UBSan, found by fuzz/realtime_event; docs/fuzzing.md).
alignas(std::max_align_t) thread_local std::array<char, pool_bytes> pool_buffer;

} // namespace

pooled_document::pooled_document() : pool_(pool_buffer.data(), pool_buffer.size()), doc_(&pool_) {}

bool pooled_document::parse_object(std::string_view text) {
  doc_.Parse<rapidjson::kParseIterativeFlag>(text.data(), text.size());
  return !doc_.HasParseError() && doc_.IsObject();
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
