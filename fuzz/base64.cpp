// Base64 as it comes in Media Stream payloads and Realtime audio deltas.
// Properties: valid() agrees with decode(); the decoded size is predicted;
// what decodes, encodes to text that decodes to the same bytes.
#include "protocol/base64.hpp"
#include "fuzz/fuzz_check.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text{reinterpret_cast<const char*>(data), size};
  auto bytes = sb::proto::base64_decode(text);
  SB_FUZZ_CHECK(bytes.ok() == sb::proto::base64_valid(text));
  if (!bytes)
    return 0;
  SB_FUZZ_CHECK(bytes->size() == sb::proto::base64_decoded_size(text));
  auto back = sb::proto::base64_decode(sb::proto::base64_encode(*bytes));
  SB_FUZZ_CHECK(back.ok() && *back == *bytes);
  // Raw bytes encode and decode back, too.
  auto raw = sb::proto::base64_decode(sb::proto::base64_encode(text));
  SB_FUZZ_CHECK(raw.ok() && *raw == text);
  return 0;
}
