#include "protocol/twilio_signature.hpp"

#define BOOST_TEST_MODULE twilio_signature
#include <boost/test/unit_test.hpp>

using namespace sb::proto;

namespace {

// Twilio's documented example ("Webhooks security", validating signatures).
constexpr std::string_view doc_token = "12345";
constexpr std::string_view doc_url = "https://mycompany.com/myapp.php?foo=1&bar=2";
constexpr std::string_view doc_signature = "0/KCTR6DLpKmkAf8muzZqo1nDgQ=";

form_params doc_params() {
  return {{"To", "+18005551212"},
          {"CallSid", "CA1234567890ABCDE"},
          {"From", "+12349013030"},
          {"Caller", "+12349013030"},
          {"Digits", "1234"}};
}

} // namespace

BOOST_AUTO_TEST_CASE(matches_twilios_documented_example) {
  BOOST_TEST(twilio_signature(doc_token, doc_url, doc_params()) == doc_signature);
  BOOST_TEST(twilio_signature_valid(doc_token, doc_url, doc_params(), doc_signature));
}

BOOST_AUTO_TEST_CASE(parameter_order_does_not_matter) {
  form_params params = doc_params();
  form_params reversed(params.rbegin(), params.rend());
  BOOST_TEST(twilio_signature(doc_token, doc_url, reversed) == doc_signature);
}

BOOST_AUTO_TEST_CASE(rejects_tampered_parameter) {
  auto params = doc_params();
  params[0].second = "+18005551213";
  BOOST_TEST(!twilio_signature_valid(doc_token, doc_url, params, doc_signature));
  auto added = doc_params();
  added.emplace_back("Extra", "");
  BOOST_TEST(!twilio_signature_valid(doc_token, doc_url, added, doc_signature));
}

BOOST_AUTO_TEST_CASE(rejects_wrong_url_and_wrong_token) {
  BOOST_TEST(!twilio_signature_valid(doc_token, "https://mycompany.com/myapp.php?foo=1&bar=3",
                                     doc_params(), doc_signature));
  BOOST_TEST(!twilio_signature_valid(doc_token, "http://mycompany.com/myapp.php?foo=1&bar=2",
                                     doc_params(), doc_signature));
  BOOST_TEST(!twilio_signature_valid("12346", doc_url, doc_params(), doc_signature));
}

BOOST_AUTO_TEST_CASE(rejects_missing_or_mangled_header) {
  BOOST_TEST(!twilio_signature_valid(doc_token, doc_url, doc_params(), ""));
  BOOST_TEST(!twilio_signature_valid(doc_token, doc_url, doc_params(), doc_signature.substr(1)));
  std::string longer = std::string(doc_signature) + "=";
  BOOST_TEST(!twilio_signature_valid(doc_token, doc_url, doc_params(), longer));
  std::string flipped(doc_signature);
  flipped[5] = flipped[5] == 'A' ? 'B' : 'A';
  BOOST_TEST(!twilio_signature_valid(doc_token, doc_url, doc_params(), flipped));
}

BOOST_AUTO_TEST_CASE(an_empty_auth_token_never_validates) {
  std::string sig = twilio_signature("", doc_url, doc_params());
  BOOST_TEST(!sig.empty());
  BOOST_TEST(!twilio_signature_valid("", doc_url, doc_params(), sig));
}

BOOST_AUTO_TEST_CASE(accepts_signature_made_with_or_without_the_default_port) {
  // Twilio's back end has signed both forms (twilio-node validateRequest).
  std::string with_port =
      twilio_signature(doc_token, "https://mycompany.com:443/myapp.php?foo=1&bar=2", doc_params());
  BOOST_TEST(with_port != doc_signature);
  BOOST_TEST(twilio_signature_valid(doc_token, doc_url, doc_params(), with_port));
  BOOST_TEST(twilio_signature_valid(doc_token, "https://mycompany.com:443/myapp.php?foo=1&bar=2",
                                    doc_params(), doc_signature));
  std::string http = twilio_signature(doc_token, "http://h.example/voice", {});
  BOOST_TEST(twilio_signature_valid(doc_token, "http://h.example:80/voice", {}, http));
  std::string wss = twilio_signature(doc_token, "wss://h.example:443/realtime-stream", {});
  BOOST_TEST(twilio_signature_valid(doc_token, "wss://h.example/realtime-stream", {}, wss));
}

BOOST_AUTO_TEST_CASE(a_different_port_is_a_different_url) {
  std::string sig = twilio_signature(doc_token, "https://h.example:8443/voice", {});
  BOOST_TEST(!twilio_signature_valid(doc_token, "https://h.example:9443/voice", {}, sig));
  BOOST_TEST(!twilio_signature_valid(doc_token, "https://h.example:443/voice", {}, sig));
}

BOOST_AUTO_TEST_CASE(repeated_names_sort_by_value_and_identical_pairs_count_once) {
  std::string a = twilio_signature(doc_token, doc_url, {{"n", "2"}, {"n", "1"}});
  std::string b = twilio_signature(doc_token, doc_url, {{"n", "1"}, {"n", "2"}});
  std::string c = twilio_signature(doc_token, doc_url, {{"n", "1"}, {"n", "2"}, {"n", "1"}});
  BOOST_TEST(a == b);
  BOOST_TEST(a == c);
  // name+value concatenation: {"n1": "2"} signs "n12" like {"n": "12"}.
  BOOST_TEST(twilio_signature(doc_token, doc_url, {{"n1", "2"}}) ==
             twilio_signature(doc_token, doc_url, {{"n", "12"}}));
}

BOOST_AUTO_TEST_CASE(names_sort_by_utf16_code_units_like_twilios_libraries) {
  // U+FF5A sorts before U+1F600 by code point (and UTF-8 bytes), after it in
  // UTF-16 (0xFF5A > 0xD83D), which is what JavaScript's sort() compares.
  const std::string fullwidth_z = "\xEF\xBD\x9A", emoji = "\xF0\x9F\x98\x80";
  std::string by_utf16 = twilio_signature(doc_token, doc_url, {{fullwidth_z, "2"}, {emoji, "1"}});
  BOOST_TEST(by_utf16 == twilio_signature(doc_token,
                                          std::string(doc_url) + emoji + "1" + fullwidth_z + "2",
                                          {}));
  BOOST_TEST(by_utf16 != twilio_signature(doc_token,
                                          std::string(doc_url) + fullwidth_z + "2" + emoji + "1",
                                          {}));
}

BOOST_AUTO_TEST_CASE(the_websocket_upgrade_signs_the_url_alone) {
  std::string sig = twilio_signature(doc_token, "wss://h.example/realtime-stream", {});
  BOOST_TEST(sig.size() == 28u); // base64 of 20 bytes
  BOOST_TEST(twilio_signature_valid(doc_token, "wss://h.example/realtime-stream", {}, sig));
  BOOST_TEST(!twilio_signature_valid(doc_token, "wss://h.example/other", {}, sig));
}

BOOST_AUTO_TEST_CASE(the_hmac_is_rfc_2202s_hmac_sha1_for_any_key_in_any_order) {
  // RFC 2202 section 3, test cases 1, 2 and 6 (6: a key longer than SHA-1's
  // 64-byte block is hashed first). With no params the signed data is the
  // URL alone. Keys alternate, as two servers' tokens would in one process:
  // each thread keeps the last key's pads.
  const std::string key1(20, '\x0b'), key6(80, '\xaa');
  for (int round = 0; round < 2; ++round) {
    BOOST_TEST(twilio_signature(key1, "Hi There", {}) == "thcxhlUFcmTii8C2+zeMjvFGvgA=");
    BOOST_TEST(twilio_signature("Jefe", "what do ya want for nothing?", {}) ==
               "7/zfauXrL6LSdBbV8YTfnCWafHk=");
    BOOST_TEST(twilio_signature(key6, "Test Using Larger Than Block-Size Key - Hash Key First",
                                {}) == "qkrl4VJy0A6VcFY3zoo7Ve1AIRI=");
  }
}
