#include "actors/wire_tap.hpp"

#include "protocol/event_summary.hpp"

namespace sb::actors {

wire_tap_fn wire_tap(bool on, std::string component, log::context ctx) {
  if (!on)
    return {};
  return
      [component = std::move(component), ctx = std::move(ctx)](bool sent, std::string_view frame) {
        auto s = proto::summarize_event(frame);
        log::wire(component, ctx, sent, s.type, s.json);
      };
}

} // namespace sb::actors
