// common/time: the ISO 8601 UTC form used in the health JSON, job cards and
// logs.

#include "common/time.hpp"

#define BOOST_TEST_MODULE common_time
#include <boost/test/unit_test.hpp>

using sb::iso8601_utc;

BOOST_AUTO_TEST_CASE(formats_milliseconds_since_the_epoch_in_utc) {
  BOOST_TEST(iso8601_utc(0) == "1970-01-01T00:00:00.000Z");
  BOOST_TEST(iso8601_utc(1796654470706) == "2026-12-07T14:41:10.706Z");
  BOOST_TEST(iso8601_utc(951782400000 - 1) == "2000-02-28T23:59:59.999Z");
  // 2000-02-29 (2000 is a leap year: divisible by 400) and the day after it.
  BOOST_TEST(iso8601_utc(951782400000) == "2000-02-29T00:00:00.000Z");
  BOOST_TEST(iso8601_utc(951782400000 + 86400000) == "2000-03-01T00:00:00.000Z");
}

BOOST_AUTO_TEST_CASE(a_time_before_1970_counts_back_whole_milliseconds) {
  BOOST_TEST(iso8601_utc(-1) == "1969-12-31T23:59:59.999Z");
  BOOST_TEST(iso8601_utc(-1000) == "1969-12-31T23:59:59.000Z");
  BOOST_TEST(iso8601_utc(-1001) == "1969-12-31T23:59:58.999Z");
}
