#include "metrics/registry.hpp"
#include "metrics/switchboard_metrics.hpp"

#include "tests/console/exposition.hpp"

#define BOOST_TEST_MODULE metrics_registry
#include <boost/test/unit_test.hpp>

#include <sstream>
#include <thread>
#include <vector>

using namespace sb::metrics;
using sb::console::test::parse_exposition;

BOOST_AUTO_TEST_CASE(renders_counters_with_labels_in_exposition_format) {
  registry r;
  r.get_counter("calls_total", "Calls", {{"reason", "caller_hangup"}}).inc();
  r.get_counter("calls_total", "Calls", {{"reason", "caller_hangup"}}).inc(2);
  r.get_counter("calls_total", "Calls", {{"reason", "x\"y\\z\nw"}}).inc();
  auto text = r.render();
  auto e = parse_exposition(text);
  BOOST_TEST(e.types.at("calls_total") == "counter");
  BOOST_TEST(e.get(R"(calls_total{reason="caller_hangup"})") == 3);
  BOOST_TEST(e.get(R"(calls_total{reason="x\"y\\z\nw"})") == 1);
  BOOST_TEST(text.find("# HELP calls_total Calls\n# TYPE calls_total counter\n") == 0u);
}

BOOST_AUTO_TEST_CASE(histogram_buckets_are_cumulative_with_sum_and_count) {
  registry r;
  auto& h = r.get_histogram("lat_seconds", "Latency", {0.1, 0.5, 1});
  for (double v : {0.05, 0.1, 0.3, 0.7, 2.0})
    h.observe(v);
  auto e = parse_exposition(r.render());
  BOOST_TEST(e.types.at("lat_seconds") == "histogram");
  BOOST_TEST(e.get(R"(lat_seconds_bucket{le="0.1"})") == 2); // le is inclusive
  BOOST_TEST(e.get(R"(lat_seconds_bucket{le="0.5"})") == 3);
  BOOST_TEST(e.get(R"(lat_seconds_bucket{le="1"})") == 4);
  BOOST_TEST(e.get(R"(lat_seconds_bucket{le="+Inf"})") == 5);
  BOOST_TEST(e.get("lat_seconds_count") == 5);
  BOOST_TEST(e.get("lat_seconds_sum") == 3.15, boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(counts_every_increment_from_many_threads) {
  registry r;
  auto& c = r.get_counter("hits_total", "Hits");
  auto& g = r.get_gauge("level", "Level");
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t)
    ts.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        c.inc();
        g.inc();
        r.get_counter("hits_total", "Hits", {{"t", "x"}}).inc();
      }
    });
  for (auto& t : ts)
    t.join();
  auto e = parse_exposition(r.render());
  BOOST_TEST(e.get("hits_total") == 40000);
  BOOST_TEST(e.get(R"(hits_total{t="x"})") == 40000);
  BOOST_TEST(e.get("level") == 40000);
}

BOOST_AUTO_TEST_CASE(switchboard_metrics_declare_every_family_before_any_event) {
  switchboard_metrics m{"node-1"};
  auto e = parse_exposition(m.reg.render());
  for (const char* f :
       {"switchboard_active_calls", "switchboard_calls_ended_total",
        "switchboard_openai_reconnects_total", "switchboard_openai_recycles_total",
        "switchboard_barge_ins_total", "switchboard_tool_calls_total",
        "switchboard_tool_call_duration_seconds", "switchboard_tokens_total",
        "switchboard_audio_bytes_relayed_total", "switchboard_relay_latency_seconds",
        "switchboard_turn_latency_seconds", "switchboard_job_card_latency_seconds"})
    BOOST_TEST(e.types.count(f) == 1u, f);
}

BOOST_AUTO_TEST_CASE(calls_ended_are_labelled_by_their_reason) {
  switchboard_metrics m{"node-1"};
  m.call_ended(sb::end_reason::twilio_socket_lost);
  m.call_ended(sb::end_reason::twilio_socket_lost);
  m.call_ended(sb::end_reason::caller_hangup);
  auto e = parse_exposition(m.reg.render());
  BOOST_TEST(e.get(R"(switchboard_calls_ended_total{node="node-1",reason="twilio_socket_lost"})") ==
             2);
  BOOST_TEST(e.get(R"(switchboard_calls_ended_total{node="node-1",reason="caller_hangup"})") == 1);
}

BOOST_AUTO_TEST_CASE(the_reader_rejects_malformed_exposition) {
  BOOST_CHECK_THROW(parse_exposition("x 1\n"), std::runtime_error); // no TYPE
  BOOST_CHECK_THROW(parse_exposition("# TYPE x counter\nx{a=b} 1\n"), std::runtime_error);
  BOOST_CHECK_THROW(parse_exposition("# TYPE x counter\nx one\n"), std::runtime_error);
}

BOOST_AUTO_TEST_CASE(every_series_carries_the_node_label_escaped_and_first) {
  // A node id with every character the exposition format escapes (issue 16.3).
  const std::string node = "east\"1\\b\nc";
  switchboard_metrics m{node};
  m.call_ended(sb::end_reason::caller_hangup);
  m.tool_call("end_call", true, 0.02);
  m.active_calls.inc();
  const std::string label = R"(node="east\"1\\b\nc")";
  auto text = m.reg.render();
  auto e = parse_exposition(text); // throws on a badly escaped value
  BOOST_TEST(e.get("switchboard_active_calls{" + label + "}") == 1);
  BOOST_TEST(e.get("switchboard_calls_ended_total{" + label + R"(,reason="caller_hangup"})") == 1);
  BOOST_TEST(e.get("switchboard_tool_call_duration_seconds_bucket{" + label +
                   R"(,name="end_call",le="0.05"})") == 1);
  BOOST_TEST(
      e.get("switchboard_tool_call_duration_seconds_count{" + label + R"(,name="end_call"})") == 1);
  // Not one sample without it.
  std::size_t samples = 0;
  std::istringstream lines{text};
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("#", 0) == 0)
      continue;
    ++samples;
    BOOST_TEST(line.find("{" + label) != std::string::npos, line);
  }
  BOOST_TEST(samples == e.samples.size());
  BOOST_TEST(samples > 20u);
}
