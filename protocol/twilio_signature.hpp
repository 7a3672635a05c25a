#pragma once
// X-Twilio-Signature (docs/protocols.md 1): base64(HMAC-SHA1(auth_token,
// url + sorted(name + value)...)), compared in constant time.

#include "protocol/form.hpp"

#include <string>
#include <string_view>

namespace sb::proto {

/// The signature Twilio would send for a form POST (params may be empty for
/// the WebSocket upgrade GET).
std::string twilio_signature(std::string_view auth_token, std::string_view url,
                             const form_params& params);

/// Checks `header` against `url` and `params`. Like Twilio's own validators,
/// also tries the URL with the default port added (":443"/":80") and removed.
/// Constant-time comparison. An empty header never validates.
bool twilio_signature_valid(std::string_view auth_token, std::string_view url,
                            const form_params& params, std::string_view header);

} // namespace sb::proto
