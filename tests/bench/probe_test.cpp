#include "bench/latency_probe.hpp"

#include "bench/stats.hpp"

#define BOOST_TEST_MODULE bench_probe
#include <boost/test/unit_test.hpp>

#include <string>

using namespace sb::bench;

namespace {

std::string bytes(std::size_t n, int seed) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i)
    s[i] = static_cast<char>((i * 7 + static_cast<std::size_t>(seed) * 13) % 251);
  return s;
}

} // namespace

BOOST_AUTO_TEST_CASE(matches_units_by_offset_whatever_the_chunking) {
  stream_track t;
  const std::string data = bytes(800, 1);
  t.sent(data, 1'000); // one 100 ms delta, five units
  std::vector<int64_t> latencies;
  for (int k = 0; k < 5; ++k) // re-chunked into five 20 ms frames
    t.received(std::string_view(data).substr(static_cast<std::size_t>(k) * 160, 160),
               1'000 + 20'000 * (k + 1), [&](const stream_track::unit_done& u) {
                 BOOST_TEST(u.matches);
                 latencies.push_back(u.received_us - u.sent_us);
               });
  BOOST_TEST(latencies == (std::vector<int64_t>{20'000, 40'000, 60'000, 80'000, 100'000}),
             boost::test_tools::per_element());
  BOOST_TEST(t.lost() == 0);
  BOOST_TEST(t.duplicated() == 0);
  BOOST_TEST(t.mismatched_units() == 0);
}

BOOST_AUTO_TEST_CASE(counts_lost_and_shifted_bytes) {
  stream_track t;
  const std::string data = bytes(480, 2);
  t.sent(data, 0);
  // The middle unit never arrives: the last one shifts into its place.
  t.received(std::string_view(data).substr(0, 160), 10, [](const auto&) {});
  t.received(std::string_view(data).substr(320, 160), 20, [](const auto&) {});
  BOOST_TEST(t.lost() == 160);
  BOOST_TEST(t.mismatched_units() == 1);
}

BOOST_AUTO_TEST_CASE(counts_duplicated_bytes) {
  stream_track t;
  const std::string data = bytes(160, 3);
  t.sent(data, 0);
  t.received(data, 10, [](const auto&) {});
  t.received(data, 20, [](const auto&) {});
  BOOST_TEST(t.duplicated() == 160);
  BOOST_TEST(t.mismatched_units() == 1);
}

BOOST_AUTO_TEST_CASE(probe_leaves_setup_buffering_out_of_relay_latency) {
  latency_sink sink;
  latency_probe p(&sink);
  p.call_started(0);
  const std::string greeting = bytes(800, 4);
  p.downstream_sent(greeting, 100'000);     // held by the bridge until the stream attaches
  p.downstream_received(greeting, 900'000); // first greeting byte at the caller: set-up
  const std::string reply = bytes(160, 5);
  p.downstream_sent(reply, 2'000'000);
  p.downstream_received(reply, 2'000'700);
  auto w = sink.take();
  BOOST_TEST(w.setup.count() == 1);
  BOOST_TEST(w.setup.max() == 900'000);
  BOOST_TEST(w.downstream.count() == 1);
  BOOST_TEST(w.downstream.max() == 700);
  auto s = p.finish();
  BOOST_TEST(s.down_lost == 0);
  BOOST_TEST(s.downstream.p99_us == 700);
}

BOOST_AUTO_TEST_CASE(histogram_percentiles_are_within_two_percent) {
  histogram h;
  for (int i = 1; i <= 10'000; ++i)
    h.add(i * 10); // 10 us .. 100 ms
  BOOST_TEST(h.count() == 10'000);
  BOOST_TEST(h.max() == 100'000);
  const double p50 = static_cast<double>(h.quantile(0.50));
  const double p99 = static_cast<double>(h.quantile(0.99));
  BOOST_TEST(p50 >= 50'000 * 0.98);
  BOOST_TEST(p50 <= 50'000 * 1.02);
  BOOST_TEST(p99 >= 99'000 * 0.98);
  BOOST_TEST(p99 <= 99'000 * 1.02);
  BOOST_TEST(h.quantile(0.0) == 10);
}
