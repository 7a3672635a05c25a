#include "sim/caller.hpp"

#define BOOST_TEST_MODULE sim_call
#include <boost/test/unit_test.hpp>

#include "mini_bridge.hpp"
#include "net/io.hpp"
#include "sim/realtime_peer.hpp"
#include "tests/support/schema_check.hpp"

#include <chrono>
#include <future>
#include <iostream>

using namespace sb::sim;
using namespace std::chrono_literals;

namespace {

struct call_fixture {
  sb::net::io_runtime io{2};
  clip_library clips = *clip_library::load_default();
  std::shared_ptr<realtime_peer> peer;
  std::shared_ptr<sb::test::mini_bridge> bridge;

  explicit call_fixture(call_script script) {
    peer_options o;
    o.clips = clips;
    o.scripts = {script};
    auto p = realtime_peer::start(io.context(), std::move(o));
    BOOST_REQUIRE(p.ok());
    peer = *p;
    bridge = sb::test::mini_bridge::start(io.context(), {peer->url(), "twilio-token"});
  }
  ~call_fixture() { peer->stop(); }

  caller_result run(call_script script, std::string token = "twilio-token") {
    caller_options o;
    o.server_url = bridge->server_url();
    o.public_url = bridge->public_url();
    o.auth_token = std::move(token);
    o.to_number = "+15559990000";
    o.script = std::move(script);
    o.clips = &clips;
    o.max_call_ms = 90'000;
    o.on_event = [](const std::string& line) { std::cout << "  [call] " << line << "\n"; };
    std::promise<caller_result> done;
    run_caller(io.context(), o, [&](caller_result r) { done.set_value(std::move(r)); });
    auto f = done.get_future();
    BOOST_REQUIRE(f.wait_for(120s) == std::future_status::ready);
    return f.get();
  }
};

} // namespace

BOOST_AUTO_TEST_CASE(the_demo_call_books_the_plumber_and_the_assistant_hangs_up) {
  auto script = demo_script("+15550005555", "2030-01-02");
  call_fixture f(script);
  auto r = f.run(script);
  BOOST_TEST_MESSAGE("error: " << r.error);
  BOOST_TEST(r.ok);
  BOOST_TEST(r.server_hung_up);
  BOOST_TEST(r.setup_ms > 0);
  BOOST_TEST(r.setup_ms < 3000);
  BOOST_TEST(r.reply_gap_ms.size() == 4u);
  for (auto gap : r.reply_gap_ms) {
    // The VAD waits silence_duration_ms (500) after the speech, minus the
    // ~340 ms of silence espeak-ng leaves at the end of each clip.
    BOOST_TEST(gap >= 100);
    BOOST_TEST(gap < 3000);
  }
  BOOST_TEST(r.marks_echoed > 0);
  BOOST_TEST(r.clears_received == 0);
  BOOST_TEST(r.twiml.find("<Stream") != std::string::npos);
  BOOST_TEST(f.bridge->bad_signatures() == 0);
  auto stats = f.peer->stats();
  BOOST_TEST(stats.errors_sent == 0);
  BOOST_TEST(stats.sessions_configured == 1);
  BOOST_TEST(stats.audio_bytes_received > r.bytes_sent); // speech plus the silence between
  BOOST_TEST(r.bytes_received == stats.audio_bytes_sent);
  for (const auto& e : f.peer->client_events())
    BOOST_TEST(sb::test::realtime_schema::instance().check_client_event(e) == "");
}

BOOST_AUTO_TEST_CASE(a_caller_barging_in_gets_the_reply_cleared_and_truncated) {
  auto script = demo_script("+15550006666", "2030-01-02");
  script.turns.resize(2);
  script.turns[1].barge_in_after_ms = 1000;
  script.assistant_hangs_up = false;
  call_fixture f(script);
  auto r = f.run(script);
  BOOST_TEST_MESSAGE("error: " << r.error);
  BOOST_TEST(r.ok);
  BOOST_TEST(!r.server_hung_up);
  BOOST_TEST(r.clears_received >= 1);
  auto stats = f.peer->stats();
  BOOST_TEST(stats.truncates >= 1);
  BOOST_REQUIRE(!stats.truncate_audio_end_ms.empty());
  // What was heard: about barge_in_after_ms plus the VAD onset, not the whole reply.
  BOOST_TEST(stats.truncate_audio_end_ms[0] >= 900);
  BOOST_TEST(stats.truncate_audio_end_ms[0] < 2500);
}

BOOST_AUTO_TEST_CASE(a_wrong_auth_token_fails_at_the_webhook) {
  auto script = demo_script("+15550007777", "2030-01-02");
  call_fixture f(script);
  auto r = f.run(script, "not-the-token");
  BOOST_TEST(!r.ok);
  BOOST_TEST(r.error.find("403") != std::string::npos);
  BOOST_TEST(f.bridge->bad_signatures() == 1);
}
