#include "protocol/base64.hpp"

#define BOOST_TEST_MODULE base64
#include <boost/test/unit_test.hpp>

#include <random>

using namespace sb::proto;

// RFC 4648 section 10 test vectors.
BOOST_AUTO_TEST_CASE(encodes_rfc4648_vectors) {
  BOOST_TEST(base64_encode("") == "");
  BOOST_TEST(base64_encode("f") == "Zg==");
  BOOST_TEST(base64_encode("fo") == "Zm8=");
  BOOST_TEST(base64_encode("foo") == "Zm9v");
  BOOST_TEST(base64_encode("foob") == "Zm9vYg==");
  BOOST_TEST(base64_encode("fooba") == "Zm9vYmE=");
  BOOST_TEST(base64_encode("foobar") == "Zm9vYmFy");
}

BOOST_AUTO_TEST_CASE(round_trips_random_binary) {
  std::mt19937 rng(42);
  for (int len = 0; len < 200; ++len) {
    std::string bytes(static_cast<std::size_t>(len), '\0');
    for (auto& b : bytes)
      b = static_cast<char>(rng() & 0xFF);
    std::string text = base64_encode(bytes);
    BOOST_TEST(base64_valid(text));
    BOOST_TEST(base64_decoded_size(text) == bytes.size());
    auto back = base64_decode(text);
    BOOST_REQUIRE(back.ok());
    BOOST_TEST(*back == bytes);
  }
}

BOOST_AUTO_TEST_CASE(rejects_bad_length_alphabet_and_padding) {
  for (std::string_view bad : {"Zg=", "Zm9", "Zm9v!A==", "Zm 9v", "Zm9v\n", "=Zm9",
                               "Z===", "Zg==Zg==", "Zm=v", "Zm9vYmFy====", "-_8=", "Zm9vYg=A"}) {
    BOOST_TEST_CONTEXT(bad) {
      BOOST_TEST(!base64_valid(bad));
      auto r = base64_decode(bad);
      BOOST_REQUIRE(!r.ok());
      BOOST_TEST(r.err().code == "bad_base64");
    }
  }
}

BOOST_AUTO_TEST_CASE(rejects_non_canonical_padding_bits) {
  // "Zh==" decodes to 'f' in lenient decoders, but its dropped bits are set.
  BOOST_TEST(!base64_valid("Zh=="));
  BOOST_TEST(!base64_valid("Zm9="));
  BOOST_TEST(base64_valid("Zg=="));
  BOOST_TEST(base64_valid("Zm8="));
}

BOOST_AUTO_TEST_CASE(a_twilio_media_chunk_decodes_to_160_bytes) {
  std::string silence(160, static_cast<char>(0xFF)); // mu-law silence
  std::string text = base64_encode(silence);
  BOOST_TEST(text.size() == 216u);
  BOOST_TEST(base64_decoded_size(text) == 160u);
  BOOST_TEST(*base64_decode(text) == silence);
}
