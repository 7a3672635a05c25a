#pragma once
// WebSocket framing (RFC 6455, sections 4 and 5) without sockets: the
// handshake's keys, a frame's header written, and a reader that turns bytes
// into messages and control frames. ws_session drives it over a stream; the
// fuzzer and the unit tests drive it over plain bytes. Internal to net/.
//
// Why our own: Beast's websocket::stream reads through a 1,536-byte buffer
// and completes every message through the io queue, and writes one message
// per async_write; a burst of 20 deltas then takes 20 trips through the
// queue behind every other call's handlers (issue 15.2, bench/RESULTS.md).
// Here one recv's worth of frames is parsed in one pass and every queued
// frame leaves in one gather write. No extensions are negotiated (no
// permessage-deflate), so every RSV bit must be 0.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sb::net::detail {

enum class ws_opcode : std::uint8_t {
  continuation = 0x0,
  text = 0x1,
  binary = 0x2,
  close = 0x8,
  ping = 0x9,
  pong = 0xA,
};

/// Close codes we send (RFC 6455 7.4.1).
namespace ws_close {
constexpr std::uint16_t normal = 1000;
constexpr std::uint16_t protocol_error = 1002;
constexpr std::uint16_t bad_payload = 1007; ///< text that is not UTF-8
constexpr std::uint16_t too_big = 1009;
} // namespace ws_close

/// Sec-WebSocket-Accept for a Sec-WebSocket-Key: base64(SHA-1(key + GUID)).
std::string ws_accept_key(std::string_view key);

/// A fresh Sec-WebSocket-Key: base64 of 16 random bytes.
std::string ws_new_key();

/// A client frame's masking key, from OpenSSL's random generator as RFC
/// 6455 10.3 asks (unpredictable), drawn in batches per thread.
std::uint32_t ws_mask_key();

/// The longest frame header: 2 bytes, 8 of length, 4 of mask.
constexpr std::size_t ws_max_header = 14;

/// Writes the header of a final frame of `op` carrying `length` bytes into
/// `out` (ws_max_header long); with `mask` set (a client's frame) the mask
/// bit and key follow. Returns the header's size.
std::size_t ws_write_header(unsigned char* out, ws_opcode op, std::uint64_t length, bool masked,
                            std::uint32_t mask);

/// XORs `data` with the 4-byte `mask` (in wire order, as in the header),
/// starting at byte `offset` of the payload.
void ws_apply_mask(char* data, std::size_t n, std::uint32_t mask, std::size_t offset = 0);

/// True if `text` is valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool ws_valid_utf8(std::string_view text);

/// One thing read from the wire.
struct ws_event {
  enum kind_t { text, binary, ping, pong, close, error } kind = error;
  std::string payload;    ///< a message, or a control frame's payload
  std::uint16_t code = 0; ///< close: the peer's code (1005 if none); error: ours to send
  std::string what;       ///< error: one line for the log ("unmasked frame", ...)
};

/// Reads frames from a byte stream, as a server (frames must be masked) or
/// a client (frames must not be). Messages split over continuation frames
/// are put back together; control frames may come between their parts.
class ws_reader {
public:
  ws_reader(bool server_role, std::size_t max_message)
      : server_(server_role), max_message_(max_message) {}

  /// Reads the next event from [data, data + size): returns the bytes it
  /// took (0: a frame is not complete yet, read more). Unmasks in place. A
  /// frame whose parts are not final is taken without an event: call again
  /// with what follows. After an `error` event the stream is unusable.
  std::size_t next(char* data, std::size_t size, ws_event& ev, bool& have_event);

  /// Bytes a caller must be able to hold to complete the frame that begins
  /// at `data` (its header and payload), or 0 if the header is not complete.
  static std::size_t frame_size(const char* data, std::size_t size);

private:
  /// Makes `ev` the error event with `code` and takes all `size` bytes.
  std::size_t fail(ws_event& ev, bool& have_event, std::size_t size, std::uint16_t code,
                   const char* what);

  bool server_;
  std::size_t max_message_;
  bool in_message_ = false; ///< a text or binary message waits for its last part
  bool message_binary_ = false;
  std::string message_; ///< its parts so far
};

} // namespace sb::net::detail
