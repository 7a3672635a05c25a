#pragma once
// application/x-www-form-urlencoded bodies (Twilio webhooks) and URL encoding.

#include "common/result.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sb::proto {

using form_params = std::vector<std::pair<std::string, std::string>>;

/// Parses "a=1&b=x%20y" ('+' is a space). Malformed percent escapes ->
/// error {"malformed_form", ...}. Order is preserved; duplicate names kept.
result<form_params> parse_form(std::string_view body);

/// First value of `name`, or empty.
std::string form_value(const form_params& params, std::string_view name);

/// First value of `name` moved out of `params` (left empty there), or empty.
std::string take_form_value(form_params& params, std::string_view name);

/// Percent-encodes for a form body or query (unreserved chars kept).
std::string url_encode(std::string_view s);
std::string encode_form(const form_params& params);

} // namespace sb::proto
