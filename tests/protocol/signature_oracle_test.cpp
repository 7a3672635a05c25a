#include "protocol/twilio_signature.hpp"

#define BOOST_TEST_MODULE signature_oracle
#include <boost/test/unit_test.hpp>

// Twilio compatibility oracle: Twilio's own npm library (tests/node,
// RequestValidator in twilio/lib/webhooks/webhooks.js) signs random cases;
// ours must agree both ways. Without node or node_modules this FAILS, so a
// missing set-up never passes silently.

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <unistd.h>

using namespace sb::proto;

namespace {

const std::string node_dir = std::string(SB_SOURCE_DIR) + "/tests/node";
const std::string setup_hint =
    "run: cd tests/node && npm ci --no-audit --no-fund (needs nodejs and npm)";

struct sig_case {
  std::string token, url;
  form_params params;
  std::string ours;
};

// -- random cases -----------------------------------------------------------------

class case_maker {
public:
  explicit case_maker(unsigned seed) : rng_(seed) {}

  sig_case make() {
    sig_case c;
    c.token = random_token();
    c.url = random_url();
    int n = pick(0, 8);
    for (int i = 0; i < n; ++i) {
      std::string name = text(pick(1, 8));
      c.params.emplace_back(name, text(pick(0, 12)));
      if (pick(0, 4) == 0) // repeated name with another (or the same) value
        c.params.emplace_back(name, pick(0, 1) ? text(pick(0, 6)) : c.params.back().second);
      if (pick(0, 5) == 0) // names whose concatenation collides: "a"+"bc" vs "ab"+"c"
        c.params.emplace_back(name + text(1), text(pick(0, 3)));
    }
    return c;
  }

private:
  int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

  std::string random_token() {
    static constexpr char hex[] = "0123456789abcdef";
    std::string t;
    for (int i = 0; i < 32; ++i)
      t.push_back(hex[pick(0, 15)]);
    return t;
  }

  /// Form text: ASCII letters, spaces, & = + % and non-ASCII, including a
  /// BMP character above the surrogates and one above U+FFFF (their order
  /// differs between UTF-16 and code points).
  std::string text(int len) {
    static const std::vector<std::string> pieces = {"a",
                                                    "b",
                                                    "Z",
                                                    "0",
                                                    "9",
                                                    "_",
                                                    "-",
                                                    " ",
                                                    "&",
                                                    "=",
                                                    "+",
                                                    "%",
                                                    "?",
                                                    "/",
                                                    "\"",
                                                    "'",
                                                    "~",
                                                    "\xC3\xA9" /* é */,
                                                    "\xE2\x82\xAC" /* € */,
                                                    "\xEF\xBD\x9A" /* ｚ U+FF5A */,
                                                    "\xF0\x9F\x98\x80" /* 😀 U+1F600 */,
                                                    "\xE4\xB8\xAD" /* 中 */};
    std::string s;
    for (int i = 0; i < len; ++i)
      s += pieces[static_cast<std::size_t>(pick(0, static_cast<int>(pieces.size()) - 1))];
    return s;
  }

  std::string random_url() {
    static const std::vector<std::string> schemes = {"https://", "http://", "wss://"};
    static const std::vector<std::string> ports = {"", "", ":443", ":80", ":8443", ":3000"};
    std::string url = schemes[static_cast<std::size_t>(pick(0, 2))] + "h" +
                      std::to_string(pick(1, 99)) + ".example.com" +
                      ports[static_cast<std::size_t>(pick(0, 5))] + "/twilio/voice";
    if (pick(0, 1)) {
      url += "?a=" + std::to_string(pick(0, 999)) + "&b=x%20y";
      if (pick(0, 1))
        url += "&bodySHA256=" + random_token();
    }
    return url;
  }

  std::mt19937 rng_;
};

// -- the node side ---------------------------------------------------------------

std::string to_json(const std::vector<sig_case>& cases) {
  rapidjson::StringBuffer b;
  rapidjson::Writer<rapidjson::StringBuffer> w(b);
  w.StartArray();
  for (const auto& c : cases) {
    w.StartObject();
    w.Key("authToken");
    w.String(c.token);
    w.Key("url");
    w.String(c.url);
    w.Key("params");
    w.StartArray();
    for (const auto& [n, v] : c.params) {
      w.StartArray();
      w.String(n);
      w.String(v);
      w.EndArray();
    }
    w.EndArray();
    w.Key("signature");
    w.String(c.ours);
    w.EndObject();
  }
  w.EndArray();
  return b.GetString();
}

/// Runs tests/node/twilio_sign.js on `input`; returns its stdout.
std::string run_node(const std::string& input) {
  BOOST_REQUIRE_MESSAGE(std::system("node --version > /dev/null 2>&1") == 0,
                        "node is not installed; " << setup_hint);
  BOOST_REQUIRE_MESSAGE(std::filesystem::exists(node_dir + "/node_modules/twilio/package.json"),
                        "the npm package twilio is missing in " << node_dir << "; " << setup_hint);
  std::string in_path = (std::filesystem::temp_directory_path() /
                         ("sb_oracle_" + std::to_string(::getpid()) + ".json"))
                            .string();
  {
    std::ofstream f(in_path, std::ios::binary);
    f << input;
  }
  // `timeout` bounds the run: a test must never hang.
  std::string cmd = "cd '" + node_dir + "' && timeout 60 node twilio_sign.js < '" + in_path + "'";
  std::string out;
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
      out.append(buf, n);
    int rc = ::pclose(p);
    BOOST_REQUIRE_MESSAGE(rc == 0,
                          "node twilio_sign.js failed (status " << rc << "); " << setup_hint);
  }
  std::filesystem::remove(in_path);
  return out;
}

} // namespace

BOOST_AUTO_TEST_CASE(agrees_with_twilios_node_library_on_random_requests) {
  case_maker maker(20261127);
  std::vector<sig_case> cases;
  for (int i = 0; i < 60; ++i) {
    cases.push_back(maker.make());
    cases.back().ours = twilio_signature(cases.back().token, cases.back().url, cases.back().params);
  }
  // Names whose UTF-16 order differs from their byte order (U+FF5A, U+1F600).
  cases.push_back({"0123456789abcdef0123456789abcdef",
                   "https://h.example.com/voice",
                   {{"\xEF\xBD\x9A", "z"},
                    {"\xF0\x9F\x98\x80", "e"},
                    {"a", "\xF0\x9F\x98\x80"},
                    {"a", "\xEF\xBD\x9A"}},
                   ""});
  cases.back().ours = twilio_signature(cases.back().token, cases.back().url, cases.back().params);
  // Twilio's documented example as a fixed point.
  cases.push_back({"12345",
                   "https://mycompany.com/myapp.php?foo=1&bar=2",
                   {{"CallSid", "CA1234567890ABCDE"},
                    {"Caller", "+12349013030"},
                    {"Digits", "1234"},
                    {"From", "+12349013030"},
                    {"To", "+18005551212"}},
                   ""});
  cases.back().ours = twilio_signature(cases.back().token, cases.back().url, cases.back().params);
  BOOST_TEST(cases.back().ours == "0/KCTR6DLpKmkAf8muzZqo1nDgQ=");

  std::string out = run_node(to_json(cases));
  rapidjson::Document d;
  d.Parse(out.c_str());
  BOOST_REQUIRE_MESSAGE(d.IsArray() && d.Size() == cases.size(),
                        "unexpected oracle output: " << out);
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    const auto& r = d[static_cast<rapidjson::SizeType>(i)];
    std::string theirs = r["signature"].GetString();
    BOOST_TEST_CONTEXT("case " << i << " url " << c.url << " with " << c.params.size()
                               << " params") {
      BOOST_TEST(c.ours == theirs);
      BOOST_TEST(twilio_signature_valid(c.token, c.url, c.params, theirs));
      BOOST_TEST(r["accepts"].IsTrue(), "twilio.validateRequest rejected our signature");
    }
  }
}

BOOST_AUTO_TEST_CASE(agrees_with_twilios_node_library_on_port_variants) {
  // Signed by Twilio with the port, checked by us without it, and the
  // reverse: both validators must accept both forms.
  std::vector<std::pair<std::string, std::string>> pairs = {
      {"https://h.example.com:443/voice?x=1", "https://h.example.com/voice?x=1"},
      {"http://h.example.com:80/voice", "http://h.example.com/voice"},
  };
  std::vector<sig_case> cases;
  for (const auto& [signed_url, seen_url] : pairs) {
    for (const auto& [a, b] : {std::pair{signed_url, seen_url}, std::pair{seen_url, signed_url}}) {
      sig_case c{"0123456789abcdef0123456789abcdef", b, {{"CallSid", "CA1"}, {"To", "+1555"}}, ""};
      c.ours = twilio_signature(c.token, a, c.params); // signed over the other form
      cases.push_back(c);
    }
  }
  std::string out = run_node(to_json(cases));
  rapidjson::Document d;
  d.Parse(out.c_str());
  BOOST_REQUIRE(d.IsArray() && d.Size() == cases.size());
  for (std::size_t i = 0; i < cases.size(); ++i) {
    BOOST_TEST_CONTEXT("url " << cases[i].url) {
      BOOST_TEST(d[static_cast<rapidjson::SizeType>(i)]["accepts"].IsTrue());
      BOOST_TEST(
          twilio_signature_valid(cases[i].token, cases[i].url, cases[i].params, cases[i].ours));
    }
  }
}
