#include "sim/b64_into.hpp"

#include "protocol/base64.hpp"

#include <array>
#include <cstdint>

namespace sb::sim {

namespace {

constexpr std::array<uint8_t, 256> make_table() {
  constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::array<uint8_t, 256> t{};
  for (uint8_t i = 0; i < 64; ++i)
    t[static_cast<uint8_t>(alphabet[i])] = i;
  return t;
}

constexpr auto table = make_table();

uint32_t sextet(char c) {
  return table[static_cast<uint8_t>(c)];
}

} // namespace

bool base64_decode_into(std::string_view text, std::string& out) {
  if (!proto::base64_valid(text))
    return false;
  const std::size_t n = proto::base64_decoded_size(text);
  out.resize(n);
  char* o = out.data();
  std::size_t i = 0, w = 0;
  // Whole groups of four characters (three bytes) first, then the padded tail.
  for (; w + 3 <= n; i += 4, w += 3) {
    const uint32_t v = sextet(text[i]) << 18 | sextet(text[i + 1]) << 12 |
                       sextet(text[i + 2]) << 6 | sextet(text[i + 3]);
    o[w] = static_cast<char>(v >> 16);
    o[w + 1] = static_cast<char>(v >> 8);
    o[w + 2] = static_cast<char>(v);
  }
  if (w < n) {
    const uint32_t v = sextet(text[i]) << 18 | sextet(text[i + 1]) << 12 |
                       (text[i + 2] == '=' ? 0 : sextet(text[i + 2]) << 6);
    o[w++] = static_cast<char>(v >> 16);
    if (w < n)
      o[w] = static_cast<char>(v >> 8);
  }
  return true;
}

} // namespace sb::sim
