// WebSocket frames to our server after a valid upgrade (net/ws_session.cpp
// and the frame reader under it, net/ws_frame.cpp; ws_reader.cpp fuzzes the
// reader alone): masks, lengths, opcodes, fragments, control frames, closes. The input is what
// follows the upgrade request; complete text frames go to the Media Stream event parser, as a
// call's do.
#include "fuzz/server_harness.hpp"
#include "protocol/media_stream.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace {

constexpr std::string_view upgrade = "GET /telephony/realtime-stream HTTP/1.1\r\n"
                                     "Host: 127.0.0.1\r\n"
                                     "Upgrade: websocket\r\n"
                                     "Connection: Upgrade\r\n"
                                     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                     "Sec-WebSocket-Version: 13\r\n\r\n";

sb::fuzz::server_harness& harness() {
  static sb::fuzz::server_harness h{
      [] {
        sb::net::http_server_options o;
        o.ws.max_frame_bytes = 4096;
        return o;
      }(),
      [] {
        sb::net::http_handlers h;
        h.on_upgrade =
            [](const sb::net::http_request&,
               const sb::net::ws_connection_ptr& conn) -> std::optional<sb::net::http_response> {
          sb::net::ws_handlers wh;
          wh.on_text = [](std::string&& frame) {
            (void)sb::proto::parse_twilio_event(frame);
            return true;
          };
          wh.on_close = [](const std::string&) {};
          conn->set_handlers(std::move(wh));
          return std::nullopt;
        };
        return h;
      }()};
  return h;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)harness().exchange({reinterpret_cast<const char*>(data), size}, upgrade);
  return 0;
}
