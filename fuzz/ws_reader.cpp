// The WebSocket frame reader alone (net/ws_frame.cpp), in both roles, fed
// in pieces as reads bring them: no sockets, so it runs millions of inputs
// where ws_frames (the whole server) runs hundreds. The first byte picks the
// role and the piece size; the rest is the stream. Properties: the reader
// never takes more than it is given, a message it gives is within the limit
// and a text one is UTF-8, and an error ends the stream.
#include "fuzz/fuzz_check.hpp"
#include "net/detail/ws_frame.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1)
    return 0;
  constexpr std::size_t max_message = 4096;
  const bool server = data[0] & 1;
  const std::size_t step = (data[0] >> 1) + 1; // 1..128 bytes per read
  sb::net::detail::ws_reader reader(server, max_message);
  std::string held;
  std::size_t fed = 1;
  while (fed < size) {
    std::size_t take = std::min(step, size - fed);
    held.append(reinterpret_cast<const char*>(data + fed), take);
    fed += take;
    std::size_t at = 0;
    for (;;) {
      sb::net::detail::ws_event ev;
      bool have = false;
      std::size_t used = reader.next(held.data() + at, held.size() - at, ev, have);
      SB_FUZZ_CHECK(used <= held.size() - at);
      if (used == 0)
        break;
      at += used;
      if (!have)
        continue;
      if (ev.kind == sb::net::detail::ws_event::error)
        return 0; // the connection would close here
      if (ev.kind == sb::net::detail::ws_event::text)
        SB_FUZZ_CHECK(sb::net::detail::ws_valid_utf8(ev.payload));
      if (ev.kind == sb::net::detail::ws_event::text ||
          ev.kind == sb::net::detail::ws_event::binary)
        SB_FUZZ_CHECK(ev.payload.size() <= max_message);
      else
        SB_FUZZ_CHECK(ev.payload.size() <= 125);
    }
    held.erase(0, at);
    // What waits is at most one frame not yet complete: its header and a
    // payload within the limit.
    SB_FUZZ_CHECK(held.size() <= max_message + sb::net::detail::ws_max_header + step);
  }
  return 0;
}
