// The recording's timeline (recording/call_recorder.hpp) into a real WAV
// file: caller frames where their timestamps put them, assistant audio from
// the stream time it was sent on (after what is queued), cut at a clear,
// and nothing past the last caller frame.
#include "recording/call_recorder.hpp"

#include "protocol/mulaw.hpp"

#define BOOST_TEST_MODULE call_recorder
#include <boost/test/unit_test.hpp>

#include <sndfile.h>

#include <cstdlib>
#include <filesystem>

using namespace sb;
using namespace sb::recording;
namespace fs = std::filesystem;

namespace {

struct stereo {
  std::vector<int16_t> left, right;
};

stereo read_stereo(const std::string& path) {
  SF_INFO info{};
  SNDFILE* sf = sf_open(path.c_str(), SFM_READ, &info);
  BOOST_TEST_REQUIRE(sf != nullptr);
  BOOST_TEST(info.channels == 2);
  BOOST_TEST(info.samplerate == 8000);
  std::vector<int16_t> all(static_cast<std::size_t>(info.frames * 2));
  sf_readf_short(sf, all.data(), info.frames);
  sf_close(sf);
  stereo s;
  for (std::size_t i = 0; i < all.size(); i += 2) {
    s.left.push_back(all[i]);
    s.right.push_back(all[i + 1]);
  }
  return s;
}

std::string tone(uint8_t byte, std::size_t n) {
  return std::string(n, static_cast<char>(byte));
}

struct temp_path {
  fs::path dir = [] {
    std::string t = (fs::temp_directory_path() / "sb-rec-XXXXXX").string();
    BOOST_TEST_REQUIRE(mkdtemp(t.data()) != nullptr);
    return fs::path{t};
  }();
  ~temp_path() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

} // namespace

BOOST_AUTO_TEST_CASE(channels_follow_the_stream_clock_and_a_clear_cuts_the_right) {
  temp_path tmp;
  const std::string path = (tmp.dir / "sub" / "CA1.wav").string();
  auto writer = std::make_shared<wav_writer>();
  {
    call_recorder rec{writer, path};
    // 3 s of caller frames (20 ms, 160 bytes); frame 10 is missing (silence).
    for (int k = 0; k < 150; ++k) {
      if (k == 10)
        continue;
      rec.caller_frame(20 * k, tone(static_cast<uint8_t>(0x10 + k % 64), 160));
      if (k == 4) // after frame 4 (ends at 100 ms): 1 s of reply, in one go
        rec.assistant_sent(tone(0x20, 8000));
      if (k == 49) { // at 1000 ms: the caller talks over it, 100 ms of it unheard
        rec.cleared();
        rec.assistant_sent(tone(0x30, 800)); // the next reply, from an empty queue
      }
    }
    rec.assistant_sent(tone(0x40, 1600)); // sent at the very end: never heard
  }                                       // finish(): closed
  writer->drain();
  BOOST_TEST_REQUIRE(fs::exists(path));
  BOOST_TEST(!fs::exists(path + ".part"));
  auto s = read_stereo(path);
  BOOST_TEST_REQUIRE(s.left.size() == 150u * 160u); // up to the last caller frame
  const int16_t quiet = proto::mulaw_decode(0xFF);
  for (int k = 0; k < 150; ++k) {
    const int16_t want = k == 10 ? quiet : proto::mulaw_decode(static_cast<uint8_t>(0x10 + k % 64));
    BOOST_TEST_REQUIRE(s.left[static_cast<std::size_t>(k) * 160 + 7] == want);
  }
  // Right: silence to 100 ms, the reply to the clear at 1000 ms, then the
  // next reply for 100 ms, then silence (the last audio was never heard).
  for (std::size_t i = 0; i < s.right.size(); ++i) {
    int16_t want = quiet;
    if (i >= 800 && i < 8000)
      want = proto::mulaw_decode(0x20);
    else if (i >= 8000 && i < 8800)
      want = proto::mulaw_decode(0x30);
    BOOST_TEST_REQUIRE(s.right[i] == want, "sample " << i);
  }
}

BOOST_AUTO_TEST_CASE(a_full_queue_writes_silence_and_keeps_the_file_aligned) {
  temp_path tmp;
  const std::string path = (tmp.dir / "CA2.wav").string();
  auto writer = std::make_shared<wav_writer>(1024); // room for 256 frames at a time
  {
    call_recorder rec{writer, path};
    for (int k = 0; k < 100; ++k)
      rec.caller_frame(20 * k, tone(0x11, 160));
  }
  writer->drain();
  auto s = read_stereo(path);
  BOOST_TEST(s.left.size() == 100u * 160u); // the length holds, whatever was dropped
  BOOST_TEST(writer->gap_frames() > 0);     // 1 s blocks never fit in 1 KB
}
