#pragma once
// The debug switches' event log (DEBUG_REALTIME, DEBUG_TWILIO; the original
// design's "log all Realtime API / Media Stream events"): a tap on a
// WebSocket connection (net::ws_handlers::on_wire) that logs every event in
// both directions, on the connection's strand and so in wire order, with its
// fields as compact JSON and audio elided (proto::summarize_event).

#include "common/log.hpp"

#include <functional>
#include <string>
#include <string_view>

namespace sb::actors {

using wire_tap_fn = std::function<void(bool sent, std::string_view frame)>;

/// A tap logging as `component` with `ctx`, or an empty function when the
/// switch is off: then a frame costs one test, and no JSON is parsed.
wire_tap_fn wire_tap(bool on, std::string component, log::context ctx);

} // namespace sb::actors
