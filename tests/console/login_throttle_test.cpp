// Console logins slowed down per address (console/login_throttle.hpp).
#include "console/login_throttle.hpp"

#define BOOST_TEST_MODULE login_throttle
#include <boost/test/unit_test.hpp>

using sb::console::login_throttle;

BOOST_AUTO_TEST_CASE(a_few_failures_are_free_then_each_doubles_the_wait_up_to_the_cap) {
  login_throttle t;
  int64_t now = 1'000'000;
  for (int i = 0; i < login_throttle::free_failures; ++i)
    BOOST_TEST(t.failed("10.0.0.1", now) == 0);
  BOOST_TEST(t.failed("10.0.0.1", now) == 1'000);
  BOOST_TEST(t.wait_ms("10.0.0.1", now + 400) == 600);
  BOOST_TEST(t.wait_ms("10.0.0.2", now) == 0); // another address is not held up
  BOOST_TEST(t.failed("10.0.0.1", now + 1'000) == 2'000);
  BOOST_TEST(t.failed("10.0.0.1", now + 3'000) == 4'000);
  for (int i = 0; i < 30; ++i)
    t.failed("10.0.0.1", now + 3'000);
  BOOST_TEST(t.wait_ms("10.0.0.1", now + 3'000) == login_throttle::max_delay_ms);
}

BOOST_AUTO_TEST_CASE(a_good_login_clears_the_address) {
  login_throttle t;
  for (int i = 0; i < 5; ++i)
    t.failed("10.0.0.1", 0);
  t.succeeded("10.0.0.1");
  BOOST_TEST(t.wait_ms("10.0.0.1", 0) == 0);
  BOOST_TEST(t.failed("10.0.0.1", 0) == 0);
}

BOOST_AUTO_TEST_CASE(the_address_is_the_host_without_the_port) {
  BOOST_TEST(login_throttle::address_of("127.0.0.1:54321") == "127.0.0.1");
  BOOST_TEST(login_throttle::address_of("[::1]:443") == "::1");
  BOOST_TEST(login_throttle::address_of("host") == "host");
}

BOOST_AUTO_TEST_CASE(memory_stays_bounded) {
  login_throttle t;
  for (std::size_t i = 0; i < login_throttle::max_addresses + 50; ++i)
    t.failed("10.1." + std::to_string(i), static_cast<int64_t>(i));
  // The oldest went first; the newest is remembered.
  BOOST_TEST(t.wait_ms("10.1.0", 0) == 0);
  for (int i = 0; i < 4; ++i)
    t.failed("10.1.99999", 100'000);
  BOOST_TEST(t.wait_ms("10.1.99999", 100'000) > 0);
}
