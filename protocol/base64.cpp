// Strict RFC 4648 base64 (section 4, padded). Audio from Twilio and OpenAI is
// always padded, so unpadded or whitespace-laden text is rejected rather than
// guessed at.

#include "protocol/base64.hpp"

#include <array>
#include <cstdint>

namespace sb::proto {

namespace {

constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr uint8_t invalid = 0xFF;

constexpr std::array<uint8_t, 256> make_decode_table() {
  std::array<uint8_t, 256> t{};
  for (auto& v : t)
    v = invalid;
  for (uint8_t i = 0; i < 64; ++i)
    t[static_cast<uint8_t>(alphabet[i])] = i;
  return t;
}

constexpr auto decode_table = make_decode_table();

uint8_t sextet(char c) {
  return decode_table[static_cast<uint8_t>(c)];
}

} // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  auto byte = [&](std::size_t k) { return static_cast<uint32_t>(static_cast<uint8_t>(bytes[k])); };
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t n = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
    out.push_back(alphabet[n >> 18 & 63]);
    out.push_back(alphabet[n >> 12 & 63]);
    out.push_back(alphabet[n >> 6 & 63]);
    out.push_back(alphabet[n & 63]);
  }
  std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    uint32_t n = byte(i) << 16;
    out.push_back(alphabet[n >> 18 & 63]);
    out.push_back(alphabet[n >> 12 & 63]);
    out.append("==");
  } else if (rest == 2) {
    uint32_t n = byte(i) << 16 | byte(i + 1) << 8;
    out.push_back(alphabet[n >> 18 & 63]);
    out.push_back(alphabet[n >> 12 & 63]);
    out.push_back(alphabet[n >> 6 & 63]);
    out.push_back('=');
  }
  return out;
}

bool base64_valid(std::string_view text) {
  if (text.size() % 4 != 0)
    return false;
  if (text.empty())
    return true;
  std::size_t pad = 0;
  if (text.back() == '=')
    pad = text[text.size() - 2] == '=' ? 2 : 1;
  std::size_t body = text.size() - pad;
  for (std::size_t i = 0; i < body; ++i)
    if (sextet(text[i]) == invalid)
      return false;
  // Canonical encoding (RFC 4648 3.5): the bits dropped by padding must be 0,
  // so each byte string has exactly one accepted text.
  if (pad == 1)
    return (sextet(text[body - 1]) & 0x03) == 0;
  if (pad == 2)
    return (sextet(text[body - 1]) & 0x0F) == 0;
  return true;
}

std::size_t base64_decoded_size(std::string_view text) {
  if (text.size() < 4)
    return 0;
  std::size_t pad = text.back() == '=' ? (text[text.size() - 2] == '=' ? 2 : 1) : 0;
  return text.size() / 4 * 3 - pad;
}

result<std::string> base64_decode(std::string_view text) {
  if (!base64_valid(text))
    return error{"bad_base64", "not padded RFC 4648 base64"};
  std::string out;
  out.reserve(base64_decoded_size(text));
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=')
      break;
    acc = (acc << 6) | sextet(c);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

} // namespace sb::proto
