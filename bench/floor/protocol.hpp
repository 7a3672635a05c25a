#pragma once
// switchboard-floor --protocol: the least per-frame work a bridge that
// speaks the real protocols must do, done as leanly as this file can:
// WebSocket framing (RFC 6455 5.2: a client masks, a server does not),
// text frames checked as UTF-8 (their ASCII fast path), the JSON events of
// docs/protocols.md parsed with RapidJSON (no heap: pools on the stack) and
// built by copying, and the base64 audio checked, not decoded (the bridge
// passes it through). No TLS, no actors, no allocation per frame. The relay
// (relay.cpp) does this on top of the bare floor's socket work; the
// generator (generator.cpp) sends ready-made frames. bench/floor/README.md.

#include <rapidjson/document.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace sb::floor::proto {

/// Twilio's stream id as the bridge echoes it in every media and mark.
inline constexpr std::string_view k_stream_sid = "MZ18ad3ab5a668481ce02b83e7395059f0";

/// Writes a FIN text frame of `payload` to `out` (room for payload + 14),
/// masked with `mask` if it is not null (client to server); its size.
inline std::size_t frame_text(char* out, std::string_view payload, const std::uint8_t* mask) {
  std::size_t n = payload.size(), h = 2;
  out[0] = char(0x81);
  if (n < 126) {
    out[1] = char(n);
  } else { // every frame here is < 64 KiB
    out[1] = char(126);
    out[2] = char(n >> 8);
    out[3] = char(n & 0xff);
    h = 4;
  }
  if (!mask) {
    std::memcpy(out + h, payload.data(), n);
    return h + n;
  }
  out[1] = char(out[1] | 0x80);
  std::memcpy(out + h, mask, 4);
  h += 4;
  for (std::size_t i = 0; i < n; ++i)
    out[h + i] = char(payload[i] ^ mask[i & 3]);
  return h + n;
}

/// Opens one complete frame `p`..`p+n` in place: checks it is a FIN text
/// frame, masked if `masked`, whose length fits `n`; unmasks it and checks
/// it is UTF-8 (ASCII, the only kind these events are). The payload, or an
/// empty view if any check fails.
inline std::string_view open_text(char* p, std::size_t n, bool masked) {
  if (n < 2 || std::uint8_t(p[0]) != 0x81 || bool(p[1] & 0x80) != masked)
    return {};
  std::size_t len = std::uint8_t(p[1]) & 0x7f, h = 2;
  if (len == 126) {
    if (n < 4)
      return {};
    len = (std::size_t(std::uint8_t(p[2])) << 8) | std::uint8_t(p[3]);
    h = 4;
  } else if (len == 127) {
    return {}; // > 64 KiB: no event of ours is
  }
  std::uint8_t key[4] = {};
  if (masked) {
    if (n < h + 4)
      return {};
    std::memcpy(key, p + h, 4);
    h += 4;
  }
  if (n != h + len)
    return {};
  char* d = p + h;
  unsigned char high = 0;
  for (std::size_t i = 0; i < len; ++i) {
    d[i] = char(d[i] ^ key[i & 3]);
    high |= std::uint8_t(d[i]);
  }
  if (high & 0x80)
    return {}; // not ASCII: a full UTF-8 check would run here
  return {d, len};
}

/// Base64 as Twilio and OpenAI send it: length a multiple of 4, the
/// alphabet, '=' only as the last one or two.
inline bool base64_ok(std::string_view s) {
  if (s.empty() || s.size() % 4 != 0)
    return false;
  std::size_t pad = s.back() == '=' ? (s[s.size() - 2] == '=' ? 2 : 1) : 0;
  for (std::size_t i = 0; i + pad < s.size(); ++i) {
    char c = s[i];
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/';
    if (!ok)
      return false;
  }
  return true;
}

/// Parses `json` with every allocation in stack buffers (a pool for the
/// values and one for the parser's stack) and hands the document to `f`;
/// false if it is not JSON.
template <class F> bool with_json(std::string_view json, F&& f) {
  using pool = rapidjson::MemoryPoolAllocator<rapidjson::CrtAllocator>;
  // Sized for the events here with room to spare (the parser copies each
  // string through its stack, so the stack must hold the 1,068-character
  // delta); a pool's buffer also holds its chunk header, so the stack
  // starts at half of its pool.
  alignas(8) char values[4096], stack[4096];
  pool value_pool(values, sizeof values), stack_pool(stack, sizeof stack);
  rapidjson::GenericDocument<rapidjson::UTF8<>, pool, pool> doc(&value_pool, sizeof stack / 2,
                                                                &stack_pool);
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError() || !doc.IsObject())
    return false;
  f(doc);
  return true;
}

/// The string member `key` of `v`, or empty.
template <class V> std::string_view str(const V& v, const char* key) {
  auto it = v.FindMember(key);
  if (it == v.MemberEnd() || !it->value.IsString())
    return {};
  return {it->value.GetString(), it->value.GetStringLength()};
}

/// Appends `parts` to `out` (a buffer with room; sizes known to the caller).
inline std::size_t join(char* out, std::initializer_list<std::string_view> parts) {
  std::size_t n = 0;
  for (auto p : parts) {
    std::memcpy(out + n, p.data(), p.size());
    n += p.size();
  }
  return n;
}

/// The generator's ready-made events (docs/protocols.md): a Twilio "media"
/// of 20 ms (160 mu-law bytes), a Realtime output audio delta of 100 ms
/// (800 bytes, the simulated peer's delta_ms), a Twilio "mark" echo.
inline std::string base64_of_silence(std::size_t bytes) {
  return std::string(bytes / 3 * 4, '/'); // 0xff bytes: mu-law silence
}
inline std::string twilio_media_json() {
  return R"({"event":"media","sequenceNumber":"42","media":{"track":"inbound","chunk":"41",)"
         R"("timestamp":"820","payload":")" +
         base64_of_silence(159) + R"(/w=="},"streamSid":")" + std::string(k_stream_sid) + "\"}";
}
inline std::string realtime_delta_json() {
  return R"({"type":"response.output_audio.delta","event_id":"event_B3bWl8PvLQb0yuS4",)"
         R"("response_id":"resp_B3bWkKp4UYAJ6cyt","item_id":"item_B3bWkUo2S6vG9qkz",)"
         R"("output_index":0,"content_index":0,"delta":")" +
         base64_of_silence(798) + R"(//8="})";
}
inline std::string twilio_mark_json() {
  return R"({"event":"mark","sequenceNumber":"43","streamSid":")" + std::string(k_stream_sid) +
         R"(","mark":{"name":"r1-d7"}})";
}

} // namespace sb::floor::proto
