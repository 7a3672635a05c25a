#pragma once
// A JSON string literal from arbitrary bytes, for the log's JSON lines
// (common/log.cpp) without a JSON library in sb_common.

#include <string>
#include <string_view>

namespace sb {

/// Appends `s` to `out` as a quoted JSON string: quote, backslash and control
/// characters escaped, and every byte that is not part of valid UTF-8 replaced
/// by U+FFFD, so that any strict parser accepts the line (RFC 8259 8.1).
void append_json_string(std::string& out, std::string_view s);

} // namespace sb
