#pragma once
// Base64 decoding into a caller-owned buffer, for the simulators' per-frame
// audio path (every 20 ms per call, issue 4's load benchmark): same strict
// rules as proto::base64_decode (it checks with proto::base64_valid), but no
// allocation once `out` has grown, and four characters per step.

#include <string>
#include <string_view>

namespace sb::sim {

/// Replaces `out` with the bytes `text` encodes; false (out unspecified)
/// when `text` is not padded RFC 4648 base64.
bool base64_decode_into(std::string_view text, std::string& out);

} // namespace sb::sim
