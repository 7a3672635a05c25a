// Issue 17.3, recording on our side: a tenant that records gets each call as
// a two-channel 8 kHz WAV, the caller on the left exactly as sent, on the
// right what the caller heard of the assistant: audio cleared at a barge-in
// is not in it. `calls delete` removes the call and everything about it, the
// file too; a tenant that does not record gets no file; the console serves
// the file only behind its login.
#include "tests/call/call_fixture.hpp"

#include "app/admin_commands.hpp"
#include "app/recording_commands.hpp"
#include "protocol/mulaw.hpp"
#include "storage/store.hpp"

#define BOOST_TEST_MODULE e2e_recording
#include <boost/test/unit_test.hpp>

#include "tests/console/console_client.hpp"

#include <CLI/CLI.hpp>
#include <sndfile.h>

#include <filesystem>
#include <map>
#include <thread>

using namespace sb;
using namespace sb::test;
namespace fs = std::filesystem;

namespace {

constexpr int64_t frame = 160; // 20 ms of 8 kHz audio

sim::call_script barge_in_script() {
  sim::call_script s;
  s.caller_number = "+15557650017";
  s.greeting_clip = "one_moment";
  s.turns.push_back(make_turn("Hi, my kitchen sink is leaking under the cabinet.", "caller_1",
                              {full_booking("Rita Record", "3 Wave Street", s.caller_number)},
                              "I'm sorry to hear that. Can I get your name and the address?",
                              "reply_1"));
  auto second =
      make_turn("Great, thank you. Bye.", "caller_4", {}, "You're welcome. Goodbye!", "reply_4");
  second.barge_in_after_ms = 800; // talks over reply_1
  s.turns.push_back(second);
  return s;
}

/// What the simulated caller sent and heard, by stream position (bytes).
struct caller_audio {
  std::mutex mu;
  std::map<int64_t, std::string> sent, heard;
};

void capture_audio(sim::caller_options& o, const std::shared_ptr<caller_audio>& a) {
  o.on_audio_sent = [a](int64_t offset, std::string_view bytes, int64_t) {
    std::lock_guard lock{a->mu};
    a->sent[offset] = std::string{bytes};
  };
  o.on_audio_played = [a](int64_t offset, std::string_view bytes) {
    std::lock_guard lock{a->mu};
    a->heard[offset] += std::string{bytes};
  };
}

struct wav {
  int channels = 0, rate = 0;
  std::vector<int16_t> left, right;
};

/// The finished file (it appears at its path once closed), bounded wait.
std::optional<wav> read_wav(const std::string& path) {
  for (int i = 0; i < 100 && !fs::exists(path); ++i)
    std::this_thread::sleep_for(100ms);
  SF_INFO info{};
  SNDFILE* sf = sf_open(path.c_str(), SFM_READ, &info);
  if (!sf)
    return std::nullopt;
  wav w;
  w.channels = info.channels;
  w.rate = info.samplerate;
  std::vector<int16_t> all(static_cast<std::size_t>(info.frames * info.channels));
  sf_readf_short(sf, all.data(), info.frames);
  sf_close(sf);
  for (std::size_t i = 0; info.channels == 2 && i + 1 < all.size(); i += 2) {
    w.left.push_back(all[i]);
    w.right.push_back(all[i + 1]);
  }
  return w;
}

/// Runs the operator CLI's data commands as main() does.
int cli(const std::string& db, std::vector<std::string> argv) {
  CLI::App app{"switchboard"};
  int exit_code = -1;
  sb::app::add_admin_commands(
      app, [db] { return db; }, exit_code);
  sb::app::add_recording_commands(
      app, [db] { return db; }, exit_code);
  argv.insert(argv.begin(), "switchboard");
  std::vector<const char*> raw;
  for (const auto& a : argv)
    raw.push_back(a.c_str());
  app.parse(static_cast<int>(raw.size()), raw.data());
  return exit_code;
}

std::string recording_of(const e2e_env& env, const std::string& sid) {
  return (fs::path(env.db_path()).parent_path() / "recordings" / (sid + ".wav")).string();
}

} // namespace

BOOST_AUTO_TEST_CASE(recorded_call_holds_what_was_sent_and_heard_and_delete_forgets_it) {
  auto script = barge_in_script();
  e2e_env env({.scripts = {script},
               .tune = [](config& c) { c.console.token = "recording-console-token"; },
               .tenant = [](storage::tenant& t) { t.record = true; }});
  auto audio = std::make_shared<caller_audio>();
  auto opts = env.caller_for(script);
  capture_audio(opts, audio);
  auto r = env.call(opts);
  BOOST_TEST_INFO("caller error: " << r.error);
  BOOST_REQUIRE(r.ok);
  BOOST_REQUIRE(env.wait_for_no_calls());
  BOOST_TEST(r.clears_received >= 1);

  // The consent sentence came first.
  auto turns = env.turns(r.call_sid);
  BOOST_REQUIRE(!turns.empty());
  BOOST_TEST(turns.front().text.rfind("This call is recorded.", 0) == 0,
             "first turn: " << turns.front().text);

  const std::string path = recording_of(env, r.call_sid);
  auto w = read_wav(path);
  BOOST_REQUIRE_MESSAGE(w.has_value(), "no readable recording at " << path);
  BOOST_TEST(w->channels == 2);
  BOOST_TEST(w->rate == 8000);

  std::lock_guard lock{audio->mu};
  // Length: the call's stream, every caller frame, within a frame or two.
  BOOST_REQUIRE(!audio->sent.empty());
  const int64_t streamed = audio->sent.rbegin()->first + frame;
  const auto length = static_cast<int64_t>(w->left.size());
  BOOST_TEST_MESSAGE("recording " << length / 8 << " ms, stream " << streamed / 8 << " ms");
  BOOST_TEST(length <= streamed);
  BOOST_TEST(length >= streamed - 2 * frame);

  // Left: the caller's audio, sample for sample, where it was sent.
  int64_t left_wrong = 0, left_checked = 0;
  for (const auto& [offset, bytes] : audio->sent)
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      const auto at = offset + static_cast<int64_t>(i);
      if (at >= length)
        break;
      ++left_checked;
      left_wrong += w->left[static_cast<std::size_t>(at)] !=
                    proto::mulaw_decode(static_cast<uint8_t>(bytes[i]));
    }
  BOOST_TEST(left_checked >= length - 2 * frame);
  BOOST_TEST(left_wrong == 0);

  // Right: what the caller heard, silence elsewhere. The bridge places the
  // audio by the stream clock it reads from the caller's frames; the caller
  // plays it a frame or so later than that clock says, and by how much is
  // decided afresh for each stretch of audio (which of the caller's frames
  // the bridge had read when the audio came; seen: the greeting one frame
  // early in 2 of 10 runs beside other load, the rest in place). So each
  // stretch the caller heard without a gap is matched at the best of a few
  // frame shifts of its own, then every sample of the recording must match
  // the stretches so placed and silence elsewhere, bar a frame or two at each
  // clear (where the cut falls within a frame).
  std::vector<int16_t> heard(static_cast<std::size_t>(length), proto::mulaw_decode(0xFF));
  std::vector<std::pair<int64_t, int64_t>> stretches; // [begin, end) of gapless heard audio
  int64_t heard_bytes = 0;
  for (const auto& [offset, bytes] : audio->heard) {
    const auto n = static_cast<int64_t>(bytes.size());
    heard_bytes += n;
    for (int64_t i = 0; i < n && offset + i < length; ++i)
      heard[static_cast<std::size_t>(offset + i)] =
          proto::mulaw_decode(static_cast<uint8_t>(bytes[static_cast<std::size_t>(i)]));
    if (!stretches.empty() && stretches.back().second == offset)
      stretches.back().second = offset + n;
    else
      stretches.emplace_back(offset, offset + n);
  }
  BOOST_TEST_MESSAGE("assistant audio received " << r.bytes_received << " bytes, heard "
                                                 << heard_bytes << " in " << stretches.size()
                                                 << " stretches");
  BOOST_TEST(r.bytes_received - heard_bytes > 8 * 200); // the clear dropped audio worth checking
  const int16_t silence = proto::mulaw_decode(0xFF);
  std::vector<int16_t> want(static_cast<std::size_t>(length), silence);
  for (const auto& [begin, end] : stretches) {
    int64_t best_wrong = end - begin + 1, best_shift = 0;
    for (int64_t shift = -3 * frame; shift <= 3 * frame; shift += frame / 4) {
      int64_t wrong = 0;
      for (int64_t i = begin; i < std::min(end, length); ++i) {
        const int64_t at = i + shift;
        const int16_t got = at >= 0 && at < length ? w->right[static_cast<std::size_t>(at)] : 0;
        wrong += got != heard[static_cast<std::size_t>(i)];
      }
      if (wrong < best_wrong) {
        best_wrong = wrong;
        best_shift = shift;
      }
    }
    BOOST_TEST_MESSAGE("heard " << begin / 8 << "-" << end / 8 << " ms: recorded at a shift of "
                                << best_shift << " samples");
    for (int64_t i = begin; i < std::min(end, length); ++i)
      if (i + best_shift >= 0 && i + best_shift < length)
        want[static_cast<std::size_t>(i + best_shift)] = heard[static_cast<std::size_t>(i)];
  }
  int64_t wrong = 0;
  for (int64_t i = 0; i < length; ++i)
    wrong += w->right[static_cast<std::size_t>(i)] != want[static_cast<std::size_t>(i)];
  BOOST_TEST_MESSAGE("right channel: " << wrong << " samples differ");
  BOOST_TEST(wrong <= 2 * frame * (r.clears_received + 1));

  // The file is on the call, and downloadable behind the console's login only.
  {
    auto db = storage::store::open(env.db_path());
    BOOST_REQUIRE(db);
    auto file = (*db)->recording_file(r.call_sid);
    BOOST_REQUIRE(file.ok() && file->has_value());
    BOOST_TEST(**file == path);
  }
  const std::string url = env.server_url() + "/console/calls/" + r.call_sid + "/recording";
  auto anonymous = console::test::request(env.io(), "GET", url);
  BOOST_TEST(anonymous.status == 401);
  BOOST_TEST(anonymous.body.find("RIFF") == std::string::npos);
  auto login = console::test::request(env.io(), "POST", env.server_url() + "/console/login", "",
                                      "token=recording-console-token",
                                      {{"Origin", "https://switchboard.e2e.invalid"}});
  BOOST_REQUIRE_EQUAL(login.status, 303);
  auto c = console::test::header_of(login, "Set-Cookie");
  auto cookie = c.substr(c.find('=') + 1, c.find(';') - c.find('=') - 1);
  auto download = console::test::request(env.io(), "GET", url, cookie);
  BOOST_TEST(download.status == 200);
  BOOST_TEST(console::test::header_of(download, "Content-Type") == "audio/wav");
  BOOST_TEST(console::test::header_of(download, "Content-Disposition").find("attachment") == 0u);
  BOOST_TEST(download.body.size() == fs::file_size(path));

  // The right to be forgotten: the call, its transcript, its job card, its file.
  BOOST_REQUIRE(env.job(r.call_sid).has_value());
  BOOST_TEST(cli(env.db_path(), {"calls", "delete", r.call_sid}) == 0);
  BOOST_TEST(!env.call_record(r.call_sid).has_value());
  BOOST_TEST(env.turns(r.call_sid).empty());
  BOOST_TEST(!env.job(r.call_sid).has_value());
  BOOST_TEST(!fs::exists(path));
  BOOST_TEST(console::test::request(env.io(), "GET", url, cookie).status == 404);
  // An unknown SID: a clear error, nothing touched.
  BOOST_TEST(cli(env.db_path(), {"calls", "delete", r.call_sid}) == 1);
}

BOOST_AUTO_TEST_CASE(a_tenant_that_does_not_record_gets_no_file_and_no_consent) {
  auto script = barge_in_script();
  e2e_env env({.scripts = {script}});
  auto r = env.call(script);
  BOOST_TEST_INFO("caller error: " << r.error);
  BOOST_REQUIRE(r.ok);
  BOOST_REQUIRE(env.wait_for_no_calls());
  std::this_thread::sleep_for(500ms); // a file being written would have appeared by now
  const std::string path = recording_of(env, r.call_sid);
  BOOST_TEST(!fs::exists(path));
  BOOST_TEST(!fs::exists(path + ".part"));
  auto db = storage::store::open(env.db_path());
  BOOST_REQUIRE(db);
  auto file = (*db)->recording_file(r.call_sid);
  BOOST_REQUIRE(file.ok() && file->has_value());
  BOOST_TEST(file->value().empty());
  auto turns = env.turns(r.call_sid);
  BOOST_REQUIRE(!turns.empty());
  BOOST_TEST(turns.front().text.find("recorded") == std::string::npos);
}
