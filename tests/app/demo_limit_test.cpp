// The cluster demo's limit check (app/demo_limit.hpp): the most admitted
// calls that held one instant, found by their stored [answer, end] spans,
// and the verdict it leads to.
#define BOOST_TEST_MODULE demo_limit
#include "app/demo_limit.hpp"

#include <boost/test/unit_test.hpp>

using sb::app::demo::admitted_span;
using sb::app::demo::busiest_instant;
using sb::app::demo::judge_limit;

BOOST_AUTO_TEST_CASE(no_spans_have_no_peak) {
  BOOST_TEST(busiest_instant({}).count == 0U);
}

BOOST_AUTO_TEST_CASE(calls_one_after_another_never_overlap) {
  auto peak = busiest_instant({{0, 10, "a"}, {11, 20, "b"}, {21, 30, "a"}});
  BOOST_TEST(peak.count == 1U);
  BOOST_TEST(peak.at_ms == 0);
}

BOOST_AUTO_TEST_CASE(spans_that_touch_share_the_instant) {
  // One call's end stamped at the next one's answer: both were admitted then.
  auto peak = busiest_instant({{0, 10, "a"}, {10, 20, "b"}});
  BOOST_TEST(peak.count == 2U);
  BOOST_TEST(peak.at_ms == 10);
}

BOOST_AUTO_TEST_CASE(the_peak_names_its_instant_and_nodes) {
  auto peak = busiest_instant(
      {{0, 100, "node-1"}, {5, 50, "node-2"}, {40, 60, "node-2"}, {55, 90, "node-3"}});
  BOOST_TEST(peak.count == 3U);
  BOOST_TEST(peak.at_ms == 40);
  BOOST_TEST(peak.by_node.at("node-1") == 1);
  BOOST_TEST(peak.by_node.at("node-2") == 2);
  BOOST_TEST(peak.by_node.count("node-3") == 0U);
}

BOOST_AUTO_TEST_CASE(more_than_the_limit_at_once_fails_with_the_figures) {
  auto peak = busiest_instant({{0, 100, "node-1"}, {1, 100, "node-2"}, {2, 100, "node-3"}});
  auto why = judge_limit("Steady Drains", 2, 5, 2, peak, 0);
  BOOST_TEST(why.find("did not hold") != std::string::npos);
  BOOST_TEST(why.find("3 of its calls were admitted at once") != std::string::npos);
  BOOST_TEST(why.find("node-2: 1") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_limit_that_never_bit_proves_nothing) {
  auto peak = busiest_instant({{0, 10, "node-1"}, {20, 30, "node-2"}});
  BOOST_TEST(judge_limit("Steady Drains", 2, 2, 0, peak, 0).find("never bit") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_limit_held_and_bit) {
  auto peak = busiest_instant({{0, 100, "node-1"}, {1, 100, "node-2"}});
  BOOST_TEST(judge_limit("Steady Drains", 2, 6, 4, peak, 0).empty());
}
