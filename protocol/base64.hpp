#pragma once
// Standard base64 (RFC 4648, with padding), as Twilio and OpenAI use for audio.

#include "common/result.hpp"

#include <string>
#include <string_view>

namespace sb::proto {

std::string base64_encode(std::string_view bytes);

/// Decodes strictly: wrong alphabet, bad padding or bad length -> error
/// {"bad_base64", ...}.
result<std::string> base64_decode(std::string_view text);

/// True when `text` is well-formed base64 (the check base64_decode makes,
/// without allocating). Used on the per-frame audio path.
bool base64_valid(std::string_view text);

/// Number of bytes `text` decodes to (assumes base64_valid(text)).
std::size_t base64_decoded_size(std::string_view text);

} // namespace sb::proto
