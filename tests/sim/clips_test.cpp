#include "sim/clips.hpp"

#define BOOST_TEST_MODULE sim_clips
#include <boost/test/unit_test.hpp>

#include "protocol/mulaw.hpp"
#include "sim/builtin_clips.hpp"
#include "sim/script.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using namespace sb::sim;

BOOST_AUTO_TEST_CASE(every_clip_the_demo_needs_exists_with_plausible_length) {
  auto lib = clip_library::load_default();
  BOOST_REQUIRE_MESSAGE(lib.ok(), (lib.ok() ? "" : lib.err().message));
  auto script = demo_script("+15550001111", "2026-11-28");
  std::vector<std::pair<std::string, std::string>> clips = {
      {"greeting", "Thanks for calling Bright Plumbing. This is the virtual receptionist. How can "
                   "I help you today?"},
      {"one_moment", "One moment while I check that for you."}};
  for (const auto& t : script.turns) {
    clips.emplace_back(t.caller_clip, t.caller_text);
    clips.emplace_back(t.reply_clip, t.reply_text);
  }
  for (const auto& [name, text] : clips) {
    auto c = lib->get(name);
    BOOST_REQUIRE_MESSAGE(c.ok(), name);
    const double seconds = static_cast<double>(c->size()) / 8000.0; // 8 kHz, 1 byte per sample
    BOOST_TEST_INFO(name << ": " << seconds << " s for " << text.size() << " characters");
    BOOST_TEST(seconds > 0.5);
    // espeak-ng at 165 wpm speaks roughly 12-18 characters per second.
    BOOST_TEST(seconds > static_cast<double>(text.size()) / 30.0);
    BOOST_TEST(seconds < static_cast<double>(text.size()) / 6.0);
    BOOST_TEST(sb::proto::mulaw_rms(*c) > 300.0); // speech, not silence
  }
}

BOOST_AUTO_TEST_CASE(unknown_clip_is_an_error) {
  auto lib = clip_library::load_default();
  BOOST_REQUIRE(lib.ok());
  BOOST_TEST(lib->get("no_such_clip").err().code == "no_clip");
}

BOOST_AUTO_TEST_CASE(load_fails_for_a_folder_without_clips) {
  auto dir = std::filesystem::temp_directory_path() / ("sb_noclips_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "readme.txt") << "no audio here";
  BOOST_TEST(clip_library::load(dir.string()).err().code == "no_clips");
  BOOST_TEST(!clip_library::load((dir / "missing").string()).ok());
  std::filesystem::remove_all(dir);
}

namespace {

/// The names of sim/audio/clips.txt ("name|text" lines), sorted.
std::vector<std::string> names_in_clips_txt() {
  std::ifstream in(SB_SOURCE_DIR "/sim/audio/clips.txt");
  std::vector<std::string> names;
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line[0] != '#' && line.find('|') != std::string::npos)
      names.push_back(line.substr(0, line.find('|')));
  std::sort(names.begin(), names.end());
  return names;
}

} // namespace

BOOST_AUTO_TEST_CASE(the_binary_carries_every_clip_of_clips_txt) {
  ::unsetenv("SWITCHBOARD_CLIPS");
  auto lib = clip_library::load_default();
  BOOST_REQUIRE(lib.ok());
  std::vector<std::string> names;
  for (const auto& c : sb::sim::builtin_clips()) {
    names.emplace_back(c.name);
    BOOST_TEST(lib->get(std::string{c.name}).value() == c.bytes);
  }
  BOOST_TEST(names == names_in_clips_txt(), boost::test_tools::per_element());
  BOOST_TEST(lib->size() == names.size());
}

BOOST_AUTO_TEST_CASE(switchboard_clips_names_another_clip_set) {
  auto dir =
      std::filesystem::temp_directory_path() / ("sb_otherclips_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "hello.ulaw", std::ios::binary) << std::string(800, '\x10');
  ::setenv("SWITCHBOARD_CLIPS", dir.c_str(), 1);
  auto lib = clip_library::load_default();
  ::unsetenv("SWITCHBOARD_CLIPS");
  std::filesystem::remove_all(dir);
  BOOST_REQUIRE(lib.ok());
  BOOST_TEST(lib->size() == 1u);
  BOOST_TEST(lib->get("hello").value() == std::string(800, '\x10'));
  BOOST_TEST(lib->get("greeting").err().code == "no_clip");
}

BOOST_AUTO_TEST_CASE(a_wrong_switchboard_clips_folder_is_an_error_not_a_fallback) {
  ::setenv("SWITCHBOARD_CLIPS", "/nonexistent/sb_clips", 1);
  auto lib = clip_library::load_default();
  ::unsetenv("SWITCHBOARD_CLIPS");
  BOOST_TEST(lib.err().code == "no_clips");
}
