// [cluster] lease_ms: read from the file, and refused with a clear error
// outside 300..10000 ms (a node's heartbeat is every third of it, and the
// call-next route waits up to 1.5 leases inside Twilio's 15 s timeout).
#define BOOST_TEST_MODULE cluster_config
#include "config/config.hpp"

#include <boost/test/unit_test.hpp>

namespace {

const char* no_env(const char*) {
  return nullptr;
}

std::string refusal(const std::string& toml) {
  try {
    sb::parse_config(toml, "test.toml", no_env);
  } catch (const sb::config_error& e) {
    return e.what();
  }
  return "";
}

} // namespace

BOOST_AUTO_TEST_CASE(the_lease_defaults_to_three_seconds_and_is_read_from_the_file) {
  BOOST_TEST(sb::parse_config("", "test.toml", no_env).cluster.lease.count() == 3000);
  auto c = sb::parse_config("[cluster]\nlease_ms = 5000\n", "test.toml", no_env);
  BOOST_TEST(c.cluster.lease.count() == 5000);
}

BOOST_AUTO_TEST_CASE(a_lease_too_short_or_too_long_is_refused_naming_the_key) {
  // A negative value is refused by the reader first, naming the key too.
  BOOST_TEST(refusal("[cluster]\nlease_ms = -5\n").find("cluster.lease_ms") != std::string::npos);
  for (const char* v : {"0", "299", "10001"}) {
    auto why = refusal(std::string{"[cluster]\nlease_ms = "} + v + "\n");
    BOOST_TEST(why.find("cluster.lease_ms") != std::string::npos, v << ": " << why);
    BOOST_TEST(why.find("300 to 10000") != std::string::npos, v << ": " << why);
  }
  BOOST_TEST(refusal("[cluster]\nlease_ms = 300\n").empty());
  BOOST_TEST(refusal("[cluster]\nlease_ms = 10000\n").empty());
}
