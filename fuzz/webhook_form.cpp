// A Twilio webhook: the form body and its X-Twilio-Signature. The input is
// "SIGNATURE\nBODY". Properties: a parsed form encodes and parses back to
// itself; the signature we compute validates; a fuzzed one never crashes.
#include "fuzz/fuzz_check.hpp"
#include "protocol/form.hpp"
#include "protocol/twilio_signature.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in{reinterpret_cast<const char*>(data), size};
  auto nl = in.find('\n');
  std::string_view header = nl == std::string_view::npos ? std::string_view{} : in.substr(0, nl);
  std::string_view body = nl == std::string_view::npos ? in : in.substr(nl + 1);
  auto form = sb::proto::parse_form(body);
  if (!form)
    return 0;
  auto again = sb::proto::parse_form(sb::proto::encode_form(*form));
  SB_FUZZ_CHECK(again.ok() && *again == *form);
  constexpr std::string_view token = "fuzz-auth-token";
  constexpr std::string_view url = "https://example.com/telephony/realtime-call";
  (void)sb::proto::twilio_signature_valid(token, url, *form, header);
  auto good = sb::proto::twilio_signature(token, url, *form);
  SB_FUZZ_CHECK(sb::proto::twilio_signature_valid(token, url, *form, good));
  return 0;
}
