#include "sim/clips.hpp"

#define BOOST_TEST_MODULE sim_clips
#include <boost/test/unit_test.hpp>

#include "protocol/mulaw.hpp"
#include "sim/script.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>

using namespace sb::sim;

BOOST_AUTO_TEST_CASE(every_clip_the_demo_needs_exists_with_plausible_length) {
  auto lib = clip_library::load(default_clip_dir());
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
  auto lib = clip_library::load(default_clip_dir());
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

BOOST_AUTO_TEST_CASE(switchboard_clips_overrides_the_compiled_in_folder) {
  ::setenv("SWITCHBOARD_CLIPS", "/tmp/elsewhere", 1);
  BOOST_TEST(default_clip_dir() == "/tmp/elsewhere");
  ::unsetenv("SWITCHBOARD_CLIPS");
  BOOST_TEST(default_clip_dir() != "/tmp/elsewhere");
}
