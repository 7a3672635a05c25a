// config.toml documents exactly the keys the parser reads, each explained
// (issue 18 item 6), and a key the parser does not know is logged at warn,
// naming its path. The parser's own list (known_config_keys(), recorded by
// the reading code) is compared with the keys config.toml shows, both ways.
#include "config/config.hpp"

#define BOOST_TEST_MODULE config_keys
#include <boost/test/unit_test.hpp>

#include "common/log.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

namespace {

/// A key line of config.toml, in one of the two forms its header names:
/// `key = value` (the default) or `# key = value` (commented out).
struct documented_key {
  std::string path; ///< "section.key"
  int line = 0;
  bool commented = false;
  bool explained = false; ///< a comment ends its line, or prose comment lines stand right above
  std::string toml;       ///< the line as TOML, uncommented
};

std::vector<documented_key> documented_keys(const std::string& text) {
  static const std::regex section{R"(^\[([a-z_]+)\]\s*(#.*)?$)"};
  static const std::regex key{R"(^(# )?([a-z_]+) += +(.*)$)"};
  std::vector<documented_key> keys;
  std::string current;
  bool prose_above = false;
  std::istringstream in{text};
  int n = 0;
  for (std::string line; std::getline(in, line);) {
    ++n;
    std::smatch m;
    if (std::regex_match(line, m, section)) {
      current = m[1].str();
      prose_above = false;
    } else if (std::regex_match(line, m, key)) {
      documented_key k{current + "." + m[2].str(), n, m[1].matched, false,
                       m[2].str() + " = " + m[3].str()};
      k.explained = prose_above || m[3].str().find(" #") != std::string::npos;
      keys.push_back(std::move(k));
      prose_above = false;
    } else {
      prose_above = line.rfind('#', 0) == 0;
    }
  }
  return keys;
}

std::string read_file(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

const std::string config_toml_path = SB_SOURCE_DIR "/config.toml";

std::vector<documented_key> committed_keys() {
  return documented_keys(read_file(config_toml_path));
}

const char* no_env(const char*) {
  return nullptr;
}

/// What `fn` writes to stderr, where the log goes.
template <class F> std::string stderr_of(F fn) {
  char path[] = "/tmp/sb_config_stderr_XXXXXX";
  int fd = ::mkstemp(path);
  BOOST_REQUIRE(fd >= 0);
  std::fflush(stderr);
  int saved = ::dup(2);
  ::dup2(fd, 2);
  fn();
  std::fflush(stderr);
  ::dup2(saved, 2);
  ::close(saved);
  ::close(fd);
  std::string text = read_file(path);
  ::unlink(path);
  return text;
}

bool contains(const std::string& s, std::string_view part) {
  return s.find(part) != std::string::npos;
}

} // namespace

BOOST_AUTO_TEST_SUITE(documented)

BOOST_AUTO_TEST_CASE(the_parser_lists_the_keys_it_reads_and_no_secret) {
  const auto& known = sb::known_config_keys();
  BOOST_TEST(std::is_sorted(known.begin(), known.end()));
  BOOST_TEST((std::adjacent_find(known.begin(), known.end()) == known.end()));
  std::set<std::string> k{known.begin(), known.end()};
  for (const char* path : {"server.port", "openai.max_frame_bytes", "notifier.ca_file",
                           "console.metrics_own_port", "console.metrics_port", "debug.twilio"})
    BOOST_TEST(k.count(path) == 1u, path);
  for (const char* secret : {"twilio.auth_token", "openai.api_key", "console.token"})
    BOOST_TEST(k.count(secret) == 0u, secret);
}

BOOST_AUTO_TEST_CASE(config_toml_documents_every_key_the_parser_reads) {
  std::set<std::string> documented;
  for (const auto& k : committed_keys())
    documented.insert(k.path);
  for (const auto& path : sb::known_config_keys())
    BOOST_TEST(documented.count(path) == 1u,
               path << " is read by the parser but not in config.toml");
}

BOOST_AUTO_TEST_CASE(config_toml_documents_no_key_the_parser_ignores) {
  const auto& known = sb::known_config_keys();
  for (const auto& k : committed_keys())
    BOOST_TEST(std::binary_search(known.begin(), known.end(), k.path),
               "config.toml:" << k.line << ": " << k.path << " is not read by the parser");
}

BOOST_AUTO_TEST_CASE(each_key_is_documented_once_and_explained) {
  std::set<std::string> seen;
  for (const auto& k : committed_keys()) {
    BOOST_TEST(seen.insert(k.path).second, "config.toml:" << k.line << ": " << k.path << " again");
    BOOST_TEST(k.explained, "config.toml:" << k.line << ": " << k.path << " has no explanation");
  }
}

BOOST_AUTO_TEST_CASE(each_commented_out_key_parses_once_uncommented) {
  int commented = 0;
  for (const auto& k : committed_keys()) {
    if (!k.commented)
      continue;
    ++commented;
    const std::string section = k.path.substr(0, k.path.find('.'));
    std::string toml = "[" + section + "]\n" + k.toml + "\n";
    if (k.path == "server.tls_cert" || k.path == "server.tls_key") // they go together
      toml = "[server]\ntls_cert = \"/c.pem\"\ntls_key = \"/k.pem\"\n";
    sb::log::set_level(sb::log::level::warn);
    std::string err =
        stderr_of([&] { BOOST_CHECK_NO_THROW(sb::parse_config(toml, "uncommented", no_env)); });
    BOOST_TEST(err.empty(), "config.toml:" << k.line << ": " << err);
  }
  BOOST_TEST(commented >= 5); // tls_cert, tls_key, account_sid, two ca_files
}

BOOST_AUTO_TEST_CASE(the_form_check_sees_both_forms_and_explanations) {
  auto keys = documented_keys("[a]\n# why\nx = 1\ny = 2  # why\nz = 3\n# w = \"v\"\n[b]\n#    "
                              "prose = not a key\n");
  BOOST_REQUIRE_EQUAL(keys.size(), 4u);
  BOOST_TEST(keys[0].path == "a.x");
  BOOST_TEST(keys[0].explained);
  BOOST_TEST(keys[1].explained);
  BOOST_TEST(!keys[2].explained);
  BOOST_TEST(keys[3].path == "a.w");
  BOOST_TEST(keys[3].commented);
  BOOST_TEST(keys[3].toml == "w = \"v\"");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(unknown_keys)

BOOST_AUTO_TEST_CASE(an_unknown_key_is_logged_at_warn_with_its_path_and_the_nearest_key) {
  sb::log::set_level(sb::log::level::warn);
  sb::config cfg;
  std::string err = stderr_of([&] {
    cfg = sb::parse_config("top = 1\n[openai]\nmodle = \"gpt-x\"\n[opnai]\nvoice = \"cedar\"\n"
                           "[server]\nport = 4000\nzzzzzzzzzz = 1\n",
                           "typo.toml", no_env);
  });
  BOOST_TEST(contains(err, "WARN"), err);
  BOOST_TEST(contains(err, "typo.toml: unknown key openai.modle ignored (did you mean "
                           "openai.model?)"),
             err);
  BOOST_TEST(contains(err, "unknown key opnai.voice ignored (did you mean openai.voice?)"), err);
  BOOST_TEST(contains(err, "unknown key top ignored;"), err);
  BOOST_TEST(contains(err, "unknown key server.zzzzzzzzzz ignored;"), err);
  BOOST_TEST(std::count(err.begin(), err.end(), '\n') == 4, err);
  // Ignored, not fatal: the rest of the file applies.
  BOOST_TEST(cfg.server.port == 4000);
  BOOST_TEST(cfg.openai.model == sb::config{}.openai.model);
  BOOST_TEST(cfg.openai.voice == sb::config{}.openai.voice);
}

BOOST_AUTO_TEST_CASE(the_committed_config_toml_draws_no_warning) {
  sb::log::set_level(sb::log::level::warn);
  std::string err = stderr_of([] { sb::load_config(config_toml_path, no_env); });
  BOOST_TEST(err.empty(), err);
}

BOOST_AUTO_TEST_SUITE_END()
