// Twilio Media Stream events as they arrive on the WebSocket
// (protocol/media_stream.hpp), and the debug log's summary of them.
#include "protocol/media_stream.hpp"
#include "fuzz/fuzz_check.hpp"
#include "protocol/base64.hpp"
#include "protocol/event_summary.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text{reinterpret_cast<const char*>(data), size};
  auto ev = sb::proto::parse_twilio_event(text);
  if (ev && ev->type == sb::proto::twilio_event_type::media) {
    // A media event is only accepted with a payload that decodes.
    SB_FUZZ_CHECK(sb::proto::base64_valid(ev->payload_b64));
    auto audio = sb::proto::base64_decode(ev->payload_b64);
    SB_FUZZ_CHECK(audio.ok());
    SB_FUZZ_CHECK(audio->size() == sb::proto::base64_decoded_size(ev->payload_b64));
  }
  if (ev)
    (void)sb::proto::custom_parameter(*ev, "tenant");
  (void)sb::proto::summarize_event(text);
  return 0;
}
