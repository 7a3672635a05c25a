#pragma once
// The JSON of the original design's status routes, rendered from what the
// registry answers (actors/messages.hpp: health_info, sessions_info).

#include "actors/messages.hpp"

#include <cstdint>
#include <string>

namespace sb::app {

/// GET /telephony/realtime-health:
/// {"status":"healthy"|"degraded","service":"realtime-api","openaiConnected":b,
///  "openaiObservedAt":iso|null,"activeSessions":n,"timestamp":iso,
///  "reasons":[{"code":"storage_failing"|"openai_unreachable"|"outbox_backlog",
///              "detail":"..."}]}  (reasons empty exactly when healthy)
std::string health_json(const actors::health_info& h, int64_t now_ms);

/// GET /telephony/realtime-sessions: {"sessions":[{callSid, tenant, tenantName,
/// from, state, duration, conversationTurns, hasBookingInfo, openaiConnected}]}
std::string sessions_json(const actors::sessions_info& s, int64_t now_ms);

} // namespace sb::app
