// OpenAI Realtime server events as they arrive on the WebSocket
// (protocol/realtime.hpp), and the debug log's summary of them.
#include "protocol/event_summary.hpp"
#include "protocol/realtime.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text{reinterpret_cast<const char*>(data), size};
  (void)sb::proto::parse_server_event(text);
  (void)sb::proto::client_event_type(text); // the simulated peer's side
  (void)sb::proto::summarize_event(text);
  return 0;
}
