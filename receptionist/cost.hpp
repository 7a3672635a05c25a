#pragma once
// What a call costs: OpenAI's token usage priced by kind. The one place
// prices are applied; the call supervisor prices each response.done as it
// arrives and the sum is stored on the call and its job card
// (docs/protocols.md 4).

#include "config/config.hpp"
#include "protocol/realtime.hpp"

namespace sb::receptionist {

/// USD for `u` at `p` (USD per 1M tokens). Cached input is billed at the
/// cached rate of its kind (`cached_tokens_details`); when the event gave
/// only the cached total, it is counted as audio first, then text.
/// Negative counts (a malformed event) count as 0.
double cost_usd(const proto::token_usage& u, const prices_config& p);

} // namespace sb::receptionist
