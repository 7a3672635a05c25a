#pragma once
// The HTTP surface of the original design, bound to the actors:
//   POST /telephony/realtime-inbound-voice     Voice webhook -> TwiML
//   POST /telephony/realtime-recording-status  recording URL -> the call
//   GET  /telephony/realtime-health            health JSON
//   GET  /telephony/realtime-sessions          active calls JSON
//   GET  /realtime-stream (WebSocket upgrade)  the Media Stream
// Every Twilio request is checked against X-Twilio-Signature (403 on
// failure) unless twilio.validate_signatures is off.

#include "actors/services.hpp"
#include "net/http_server.hpp"

namespace sb::app {

net::http_handlers make_routes(const actors::services& svc);

} // namespace sb::app
