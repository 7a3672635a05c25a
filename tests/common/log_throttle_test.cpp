// One log line per interval for a flood, with the count held back
// (common/log_throttle.hpp).
#include "common/log_throttle.hpp"

#define BOOST_TEST_MODULE log_throttle
#include <boost/test/unit_test.hpp>

BOOST_AUTO_TEST_CASE(one_line_per_interval_and_the_next_says_how_many_were_held_back) {
  sb::log::throttle t{10'000};
  int64_t held = -1;
  BOOST_TEST(t.allow(0, held));
  BOOST_TEST(held == 0);
  int lines = 0;
  for (int i = 1; i <= 1000; ++i)
    lines += t.allow(i, held) ? 1 : 0; // a flood within the interval
  BOOST_TEST(lines == 0);
  BOOST_TEST(t.held_back() == 1000); // what an owner logs at its end
  BOOST_TEST(t.allow(10'000, held));
  BOOST_TEST(held == 1000);
  BOOST_TEST(t.held_back() == 0);
  BOOST_TEST(!t.allow(10'001, held));
  BOOST_TEST(t.held_back() == 1);
}
