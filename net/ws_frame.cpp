#include "net/detail/ws_frame.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstring>

namespace sb::net::detail {

namespace {

std::string base64(const unsigned char* data, int n) {
  std::string out(static_cast<std::size_t>(4 * ((n + 2) / 3)) + 1, '\0');
  int len = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, n);
  out.resize(static_cast<std::size_t>(len));
  return out;
}

/// A frame header's size from its second byte: 2, plus the extended
/// length's 2 or 8, plus the key's 4 if masked.
std::size_t header_size(unsigned char second) {
  std::size_t short_len = second & 0x7F;
  return 2 + (short_len == 126 ? 2 : short_len == 127 ? 8 : 0) + ((second & 0x80) ? 4 : 0);
}

} // namespace

std::string ws_accept_key(std::string_view key) {
  // RFC 6455 1.3: the GUID every server appends.
  std::string in(key);
  in += "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  if (EVP_Digest(in.data(), in.size(), md, &md_len, EVP_sha1(), nullptr) != 1)
    return {};
  return base64(md, static_cast<int>(md_len));
}

std::string ws_new_key() {
  unsigned char nonce[16];
  if (RAND_bytes(nonce, sizeof nonce) != 1)
    return {};
  return base64(nonce, sizeof nonce);
}

std::uint32_t ws_mask_key() {
  // One RAND_bytes call per 1,024 keys: a client frame costs an array read.
  thread_local std::uint32_t keys[1024];
  thread_local std::size_t next = sizeof keys / sizeof keys[0];
  if (next == sizeof keys / sizeof keys[0]) {
    // Should it ever fail (an unseeded generator), the last batch is used
    // again: a key need not be unique, and a peer cannot tell.
    (void)RAND_bytes(reinterpret_cast<unsigned char*>(keys), sizeof keys);
    next = 0;
  }
  return keys[next++];
}

std::size_t ws_write_header(unsigned char* out, ws_opcode op, std::uint64_t length, bool masked,
                            std::uint32_t mask) {
  std::size_t n = 0;
  out[n++] = static_cast<unsigned char>(0x80 | static_cast<unsigned>(op)); // FIN, no RSV
  unsigned char mask_bit = masked ? 0x80 : 0x00;
  if (length < 126) {
    out[n++] = static_cast<unsigned char>(mask_bit | length);
  } else if (length <= 0xFFFF) {
    out[n++] = static_cast<unsigned char>(mask_bit | 126);
    out[n++] = static_cast<unsigned char>(length >> 8);
    out[n++] = static_cast<unsigned char>(length);
  } else {
    out[n++] = static_cast<unsigned char>(mask_bit | 127);
    for (int shift = 56; shift >= 0; shift -= 8)
      out[n++] = static_cast<unsigned char>(length >> shift);
  }
  if (masked) {
    std::memcpy(out + n, &mask, 4); // the key's bytes in memory order are its wire order
    n += 4;
  }
  return n;
}

void ws_apply_mask(char* data, std::size_t n, std::uint32_t mask, std::size_t offset) {
  unsigned char key[4];
  std::memcpy(key, &mask, 4);
  // Rotate the key so that data[0] meets key[offset % 4], then XOR eight
  // bytes at a time (the compiler vectorises the loop).
  unsigned char k[8];
  for (int i = 0; i < 8; ++i)
    k[i] = key[(offset + static_cast<std::size_t>(i)) % 4];
  std::uint64_t k8;
  std::memcpy(&k8, k, 8);
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t v;
    std::memcpy(&v, data + i, 8);
    v ^= k8;
    std::memcpy(data + i, &v, 8);
  }
  for (; i < n; ++i)
    data[i] = static_cast<char>(data[i] ^ k[i % 8]);
}

bool ws_valid_utf8(std::string_view text) {
  // RFC 3629, table 3-7 of the Unicode standard: the well-formed sequences.
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  std::size_t n = text.size(), i = 0;
  while (i < n) {
    unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len;
    unsigned char lo = 0x80, hi = 0xBF; // the second byte's range
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0)
        lo = 0xA0; // no overlongs
      else if (c == 0xED)
        hi = 0x9F; // no surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0)
        lo = 0x90;
      else if (c == 0xF4)
        hi = 0x8F; // <= U+10FFFF
    } else {
      return false;
    }
    if (n - i < len || s[i + 1] < lo || s[i + 1] > hi)
      return false;
    for (std::size_t j = 2; j < len; ++j)
      if ((s[i + j] & 0xC0) != 0x80)
        return false;
    i += len;
  }
  return true;
}

std::size_t ws_reader::frame_size(const char* data, std::size_t size) {
  const auto* p = reinterpret_cast<const unsigned char*>(data);
  if (size < 2)
    return 0;
  std::size_t header = header_size(p[1]);
  std::uint64_t length = p[1] & 0x7F;
  if (size < header)
    return 0;
  if (length == 126) {
    length = (std::uint64_t{p[2]} << 8) | p[3];
  } else if (length == 127) {
    length = 0;
    for (int i = 0; i < 8; ++i)
      length = (length << 8) | p[2 + i];
  }
  // Callers check the length against their limit first (next() does); a
  // length beyond any buffer is reported as such rather than wrapped.
  if (length > (std::uint64_t{1} << 48))
    return static_cast<std::size_t>(-1);
  return header + static_cast<std::size_t>(length);
}

std::size_t ws_reader::fail(ws_event& ev, bool& have_event, std::size_t size, std::uint16_t code,
                            const char* what) {
  ev = {};
  ev.kind = ws_event::error;
  ev.code = code;
  ev.what = what;
  have_event = true;
  return size; // after an error nothing more is read
}

std::size_t ws_reader::next(char* data, std::size_t size, ws_event& ev, bool& have_event) {
  have_event = false;
  const auto* p = reinterpret_cast<const unsigned char*>(data);
  if (size < 2)
    return 0;
  bool fin = p[0] & 0x80;
  unsigned rsv = p[0] & 0x70;
  auto op = static_cast<ws_opcode>(p[0] & 0x0F);
  bool masked = p[1] & 0x80;
  std::uint64_t short_len = p[1] & 0x7F;
  bool control = (p[0] & 0x08) != 0;

  // What can be judged from the first two bytes is judged before waiting
  // for the rest, so a bad peer is told at once.
  if (rsv)
    return fail(ev, have_event, size, ws_close::protocol_error, "reserved bits set");
  switch (op) {
  case ws_opcode::continuation:
  case ws_opcode::text:
  case ws_opcode::binary:
  case ws_opcode::close:
  case ws_opcode::ping:
  case ws_opcode::pong:
    break;
  default:
    return fail(ev, have_event, size, ws_close::protocol_error, "unknown opcode");
  }
  if (masked != server_)
    return fail(ev, have_event, size, ws_close::protocol_error,
                server_ ? "unmasked frame from a client" : "masked frame from a server");
  if (control && (!fin || short_len > 125))
    return fail(ev, have_event, size, ws_close::protocol_error, "bad control frame");
  if (op == ws_opcode::continuation && !in_message_)
    return fail(ev, have_event, size, ws_close::protocol_error, "continuation without a message");
  if ((op == ws_opcode::text || op == ws_opcode::binary) && in_message_)
    return fail(ev, have_event, size, ws_close::protocol_error, "new message inside another");

  std::size_t total = frame_size(data, size);
  if (total == 0)
    return 0; // the extended length or the key is not here yet
  std::size_t header = header_size(p[1]);
  std::size_t length = total == static_cast<std::size_t>(-1) ? total : total - header;
  if (!control && (length > max_message_ || message_.size() + length > max_message_))
    return fail(ev, have_event, size, ws_close::too_big, "message too big");
  if (size < total)
    return 0;

  char* payload = data + header;
  if (masked) {
    std::uint32_t key;
    std::memcpy(&key, data + header - 4, 4);
    ws_apply_mask(payload, length, key);
  }
  std::string_view body(payload, length);

  if (control) {
    ev = {};
    ev.payload.assign(body);
    if (op == ws_opcode::ping) {
      ev.kind = ws_event::ping;
    } else if (op == ws_opcode::pong) {
      ev.kind = ws_event::pong;
    } else {
      ev.kind = ws_event::close;
      ev.code = 1005; // no status (RFC 6455 7.1.5)
      if (length == 1)
        return fail(ev, have_event, size, ws_close::protocol_error, "bad close frame");
      if (length >= 2) {
        ev.code = static_cast<std::uint16_t>((p[header] << 8) | p[header + 1]);
        bool valid = (ev.code >= 1000 && ev.code <= 1003) || (ev.code >= 1007 && ev.code <= 1011) ||
                     (ev.code >= 3000 && ev.code <= 4999);
        if (!valid || !ws_valid_utf8(body.substr(2)))
          return fail(ev, have_event, size, ws_close::protocol_error, "bad close frame");
        ev.payload.assign(body.substr(2)); // the reason
      }
    }
    have_event = true;
    return total;
  }

  if (op != ws_opcode::continuation) {
    message_binary_ = op == ws_opcode::binary;
    in_message_ = true;
  }
  if (!fin) {
    message_.append(body);
    return total; // more parts to come
  }
  in_message_ = false;
  ev = {};
  if (message_.empty()) {
    ev.payload.assign(body);
  } else {
    message_.append(body);
    ev.payload = std::move(message_);
    message_.clear();
  }
  if (message_binary_) {
    ev.kind = ws_event::binary;
  } else {
    if (!ws_valid_utf8(ev.payload))
      return fail(ev, have_event, size, ws_close::bad_payload, "text that is not UTF-8");
    ev.kind = ws_event::text;
  }
  have_event = true;
  return total;
}

} // namespace sb::net::detail
