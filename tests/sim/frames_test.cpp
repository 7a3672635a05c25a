#include "sim/media_clock.hpp"

#define BOOST_TEST_MODULE sim_frames
#include <boost/test/unit_test.hpp>

#include "protocol/base64.hpp"
#include "sim/b64_into.hpp"
#include "sim/clips.hpp"

#include <boost/asio/io_context.hpp>

#include <random>
#include <vector>

using namespace sb::sim;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_CASE(media_clock_runs_each_callback_once_in_deadline_order_never_early) {
  boost::asio::io_context io;
  auto& clock = boost::asio::use_service<media_clock>(io);
  const auto t0 = media_clock::clock::now() + 20ms;
  std::vector<int> order;
  std::vector<media_clock::clock::duration> late;
  // Scheduled out of order, one from inside another's callback.
  for (int k : {3, 0, 2, 1}) {
    const auto at = t0 + k * 7ms;
    clock.at(at, [&, k, at] {
      order.push_back(k);
      late.push_back(media_clock::clock::now() - at);
      if (k == 3)
        clock.at(at + 5ms, [&, at] {
          order.push_back(4);
          late.push_back(media_clock::clock::now() - (at + 5ms));
        });
    });
  }
  io.run_for(2s); // returns once nothing is pending
  BOOST_TEST(order == (std::vector<int>{0, 1, 2, 3, 4}), boost::test_tools::per_element());
  for (auto d : late)
    BOOST_TEST(d.count() >= 0);
}

BOOST_AUTO_TEST_CASE(framed_clip_is_the_clip_in_silence_padded_frames_with_their_base64) {
  std::string bytes;
  for (int i = 0; i < 400; ++i) // 2.5 frames
    bytes.push_back(static_cast<char>(i * 7));
  auto c = make_framed_clip(bytes);
  BOOST_TEST(c->size == 400u);
  BOOST_REQUIRE(c->frames() == 3u);
  BOOST_TEST(c->padded.substr(0, 400) == bytes);
  BOOST_TEST(c->padded.substr(400) == std::string(80, '\xFF'));
  for (std::size_t k = 0; k < c->frames(); ++k) {
    BOOST_TEST(c->frame(k).size() == 160u);
    BOOST_TEST(c->frame_base64(k) == sb::proto::base64_encode(c->frame(k)));
  }
}

BOOST_AUTO_TEST_CASE(library_frames_every_clip_and_rejects_unknown_names) {
  auto lib = clip_library::load_default();
  BOOST_REQUIRE(lib.ok());
  auto raw = lib->get("greeting");
  auto framed = lib->framed("greeting");
  BOOST_REQUIRE(raw.ok());
  BOOST_REQUIRE(framed.ok());
  BOOST_TEST((*framed)->size == raw->size());
  BOOST_TEST((*framed)->padded.substr(0, raw->size()) == *raw);
  BOOST_TEST(lib->framed("no_such_clip").err().code == "no_clip");
}

BOOST_AUTO_TEST_CASE(decode_into_agrees_with_the_protocol_decoder) {
  std::mt19937 rng(42);
  std::string out = "stale bytes from an earlier frame";
  for (std::size_t n = 0; n < 50; ++n) {
    std::string bytes;
    for (std::size_t i = 0; i < n; ++i)
      bytes.push_back(static_cast<char>(rng()));
    const std::string text = sb::proto::base64_encode(bytes);
    BOOST_TEST_INFO("length " << n);
    BOOST_REQUIRE(base64_decode_into(text, out));
    BOOST_TEST(out == bytes);
  }
  for (const char* bad : {"QQ", "QQ=", "Q===", "QR==", "QUJD!A==", "QU JD"}) {
    BOOST_TEST_INFO(bad);
    BOOST_TEST(!base64_decode_into(bad, out));
    BOOST_TEST(!sb::proto::base64_decode(bad).ok());
  }
}
