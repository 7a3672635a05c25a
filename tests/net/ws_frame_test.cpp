// The WebSocket framing of net/ws_frame.cpp on plain bytes: the handshake's
// key, headers of every length form, masking, and the reader on good frames
// (whole, split anywhere, in parts with control frames between) and on each
// kind of bad one. Frames are built here by hand from RFC 6455 5.2, not by
// the code under test, except where a round trip is the point.
#define BOOST_TEST_MODULE net_ws_frame
#include <boost/test/unit_test.hpp>

#include "net/detail/ws_frame.hpp"

#include <cstring>
#include <string>
#include <vector>

using namespace sb::net::detail;

namespace {

/// A frame as RFC 6455 5.2 lays it out: FIN bit, opcode (and RSV bits in
/// `first`'s high nibble), length in the shortest form, masked with `key`
/// when `masked`.
std::string frame(unsigned char first, const std::string& payload, bool masked,
                  std::uint32_t key = 0x9AC3F1E7) {
  std::string f(1, static_cast<char>(first));
  unsigned char m = masked ? 0x80 : 0;
  if (payload.size() < 126) {
    f += static_cast<char>(m | payload.size());
  } else if (payload.size() <= 0xFFFF) {
    f += static_cast<char>(m | 126);
    f += static_cast<char>(payload.size() >> 8);
    f += static_cast<char>(payload.size() & 0xFF);
  } else {
    f += static_cast<char>(m | 127);
    for (int shift = 56; shift >= 0; shift -= 8)
      f += static_cast<char>((static_cast<std::uint64_t>(payload.size()) >> shift) & 0xFF);
  }
  std::string body = payload;
  if (masked) {
    unsigned char k[4];
    std::memcpy(k, &key, 4);
    f.append(reinterpret_cast<const char*>(k), 4);
    for (std::size_t i = 0; i < body.size(); ++i)
      body[i] = static_cast<char>(body[i] ^ k[i % 4]);
  }
  return f + body;
}

/// Every event the reader gives for `bytes`, fed `step` bytes at a time
/// (0: all at once), as a connection's reads would.
std::vector<ws_event> read_all(ws_reader& r, const std::string& bytes, std::size_t step = 0) {
  std::vector<ws_event> out;
  std::string held;
  std::size_t fed = 0;
  while (fed < bytes.size() || !held.empty()) {
    std::size_t take = step == 0 ? bytes.size() - fed : std::min(step, bytes.size() - fed);
    held.append(bytes, fed, take);
    fed += take;
    std::size_t at = 0;
    for (;;) {
      ws_event ev;
      bool have = false;
      std::size_t used = r.next(held.data() + at, held.size() - at, ev, have);
      if (used == 0)
        break;
      at += used;
      if (have)
        out.push_back(std::move(ev));
      if (have && out.back().kind == ws_event::error)
        return out;
    }
    held.erase(0, at);
    if (take == 0)
      break; // nothing more to feed, and what is held is not a whole frame
  }
  return out;
}

ws_event only_event(ws_reader& r, const std::string& bytes) {
  auto evs = read_all(r, bytes);
  BOOST_REQUIRE_EQUAL(evs.size(), 1u);
  return evs[0];
}

} // namespace

BOOST_AUTO_TEST_CASE(accept_key_is_the_one_of_rfc_6455_section_1_3) {
  BOOST_CHECK_EQUAL(ws_accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  auto a = ws_new_key(), b = ws_new_key();
  BOOST_CHECK_EQUAL(a.size(), 24u); // base64 of 16 bytes
  BOOST_CHECK_NE(a, b);
}

BOOST_AUTO_TEST_CASE(headers_use_the_shortest_length_form_and_read_back) {
  for (std::size_t len : {0, 1, 125, 126, 65535, 65536, 70000}) {
    for (bool masked : {false, true}) {
      unsigned char h[ws_max_header];
      std::size_t n = ws_write_header(h, ws_opcode::text, len, masked, 0x01020304);
      std::size_t expect = (len < 126 ? 2 : len <= 0xFFFF ? 4 : 10) + (masked ? 4 : 0);
      BOOST_CHECK_EQUAL(n, expect);
      BOOST_CHECK_EQUAL(h[0], 0x81);
      std::string bytes(reinterpret_cast<char*>(h), n);
      BOOST_CHECK_EQUAL(ws_reader::frame_size(bytes.data(), bytes.size()), n + len);
      BOOST_CHECK_EQUAL(ws_reader::frame_size(bytes.data(), n - 1), 0u); // header not complete
    }
  }
}

BOOST_AUTO_TEST_CASE(masking_is_its_own_inverse_from_any_offset) {
  std::string plain = "The quick brown fox jumps over the lazy dog, 0123456789";
  std::string data = plain;
  ws_apply_mask(data.data(), data.size(), 0xDEADBEEF);
  BOOST_CHECK_NE(data, plain);
  // Unmasked in two pieces: the second starts at an offset not a multiple of 4.
  ws_apply_mask(data.data(), 7, 0xDEADBEEF, 0);
  ws_apply_mask(data.data() + 7, data.size() - 7, 0xDEADBEEF, 7);
  BOOST_CHECK_EQUAL(data, plain);
}

BOOST_AUTO_TEST_CASE(a_frame_split_at_every_byte_gives_one_message_at_its_end) {
  std::string payload =
      "{\"event\":\"media\",\"media\":{\"payload\":\"" + std::string(300, 'A') + "\"}}";
  auto bytes = frame(0x81, payload, true) + frame(0x81, "second", true);
  for (std::size_t step : {1, 2, 3, 7, 64}) {
    ws_reader r(true, 64 * 1024);
    auto evs = read_all(r, bytes, step);
    BOOST_REQUIRE_EQUAL(evs.size(), 2u);
    BOOST_CHECK(evs[0].kind == ws_event::text);
    BOOST_CHECK_EQUAL(evs[0].payload, payload);
    BOOST_CHECK_EQUAL(evs[1].payload, "second");
  }
}

BOOST_AUTO_TEST_CASE(parts_are_joined_and_control_frames_between_them_come_first) {
  ws_reader r(false, 1024); // a client: the server's frames are not masked
  auto bytes = frame(0x01, "Hel", false) + frame(0x89, "are you there", false) +
               frame(0x00, "lo, ", false) + frame(0x8A, "", false) + frame(0x80, "world", false);
  auto evs = read_all(r, bytes);
  BOOST_REQUIRE_EQUAL(evs.size(), 3u);
  BOOST_CHECK(evs[0].kind == ws_event::ping);
  BOOST_CHECK_EQUAL(evs[0].payload, "are you there");
  BOOST_CHECK(evs[1].kind == ws_event::pong);
  BOOST_CHECK(evs[2].kind == ws_event::text);
  BOOST_CHECK_EQUAL(evs[2].payload, "Hello, world");
}

BOOST_AUTO_TEST_CASE(binary_and_close_frames_are_told_apart) {
  ws_reader r(true, 1024);
  std::string close_payload = std::string("\x03\xE8", 2) + "bye"; // 1000, "bye"
  auto evs = read_all(r, frame(0x82, std::string("\0\1\2", 3), true) +
                             frame(0x88, close_payload, true) + frame(0x88, "", true));
  BOOST_REQUIRE_EQUAL(evs.size(), 3u);
  BOOST_CHECK(evs[0].kind == ws_event::binary);
  BOOST_CHECK(evs[1].kind == ws_event::close);
  BOOST_CHECK_EQUAL(evs[1].code, 1000);
  BOOST_CHECK_EQUAL(evs[1].payload, "bye");
  BOOST_CHECK(evs[2].kind == ws_event::close);
  BOOST_CHECK_EQUAL(evs[2].code, 1005); // no status given
}

BOOST_AUTO_TEST_CASE(each_protocol_error_is_named_with_the_code_to_close_with) {
  struct bad {
    bool server;
    std::string bytes;
    std::uint16_t code;
    std::string what;
  };
  std::vector<bad> cases = {
      {true, frame(0x81, "hi", false), 1002, "unmasked frame from a client"},
      {false, frame(0x81, "hi", true), 1002, "masked frame from a server"},
      {true, frame(0xC1, "hi", true), 1002, "reserved bits set"}, // RSV1: no deflate was agreed
      {true, frame(0x83, "hi", true), 1002, "unknown opcode"},
      {true, frame(0x89, std::string(126, 'p'), true), 1002, "bad control frame"},
      {true, frame(0x09, "p", true), 1002, "bad control frame"}, // a ping in parts
      {true, frame(0x80, "x", true), 1002, "continuation without a message"},
      {true, frame(0x01, "a", true) + frame(0x81, "b", true), 1002, "new message inside another"},
      {true, frame(0x81, std::string("\xC0\x80", 2), true), 1007, "text that is not UTF-8"},
      {true, frame(0x88, "x", true), 1002, "bad close frame"},                        // 1 byte
      {true, frame(0x88, std::string("\x03\xED", 2), true), 1002, "bad close frame"}, // 1005
      {true, frame(0x81, std::string(2000, 'x'), true), 1009, "message too big"},
      {true, frame(0x01, std::string(600, 'x'), true) + frame(0x80, std::string(600, 'x'), true),
       1009, "message too big"}, // each part fits, the message does not
  };
  for (const auto& c : cases) {
    ws_reader r(c.server, 1024);
    auto evs = read_all(r, c.bytes);
    BOOST_REQUIRE_MESSAGE(!evs.empty(), c.what);
    const auto& last = evs.back();
    BOOST_CHECK_MESSAGE(last.kind == ws_event::error, c.what);
    BOOST_CHECK_EQUAL(last.code, c.code);
    BOOST_CHECK_EQUAL(last.what, c.what);
  }
}

BOOST_AUTO_TEST_CASE(a_frame_too_big_is_refused_from_its_header_alone) {
  // The header says 1 GiB: refused before any of it is waited for (a
  // connection would otherwise grow its buffer for it).
  std::string header = frame(0x81, "", true).substr(0, 1);
  header += static_cast<char>(0x80 | 127);
  for (int shift = 56; shift >= 0; shift -= 8)
    header += static_cast<char>((std::uint64_t{1} << 30 >> shift) & 0xFF);
  header += std::string(4, '\0');
  ws_reader r(true, 64 * 1024);
  auto ev = only_event(r, header);
  BOOST_CHECK(ev.kind == ws_event::error);
  BOOST_CHECK_EQUAL(ev.code, 1009);
}

BOOST_AUTO_TEST_CASE(utf8_is_checked_as_rfc_3629_defines_it) {
  BOOST_CHECK(ws_valid_utf8(""));
  BOOST_CHECK(ws_valid_utf8("plain ascii"));
  BOOST_CHECK(ws_valid_utf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x93\x9E")); // é € 📞
  BOOST_CHECK(ws_valid_utf8("\xF4\x8F\xBF\xBF"));                          // U+10FFFF
  BOOST_CHECK(!ws_valid_utf8("\xC0\x80"));                                 // overlong NUL
  BOOST_CHECK(!ws_valid_utf8("\xE0\x80\x80"));                             // overlong
  BOOST_CHECK(!ws_valid_utf8("\xED\xA0\x80"));                             // a surrogate
  BOOST_CHECK(!ws_valid_utf8("\xF4\x90\x80\x80"));                         // past U+10FFFF
  BOOST_CHECK(!ws_valid_utf8("\xE2\x82"));                                 // cut short
  BOOST_CHECK(!ws_valid_utf8("\x80"));                                     // a lone continuation
  BOOST_CHECK(!ws_valid_utf8("\xFF"));
}
