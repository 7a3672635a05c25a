// [cluster] lease_ms and node_url: read from the file (and the environment),
// refused with a clear error when unusable (lease: 300..10000 ms; a node's
// heartbeat is every third of it, and the call-next route waits up to 1.5
// leases inside Twilio's 15 s timeout).
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

BOOST_AUTO_TEST_CASE(behind_a_load_balancer_the_stream_url_is_the_nodes_own) {
  // One node: everything on public_url.
  auto one = sb::parse_config("[server]\npublic_url = \"https://calls.example.com/\"\n",
                              "test.toml", no_env);
  BOOST_TEST(one.node_base() == "https://calls.example.com");
  BOOST_TEST(one.stream_url() == "wss://calls.example.com/realtime-stream");
  // Behind a balancer: webhooks and the resume redirect go through it; the
  // stream goes straight to the node that holds the pre-connected session.
  auto env = [](const char* name) -> const char* {
    return std::string_view{name} == "SWITCHBOARD_NODE_URL" ? "https://node-2.example.com/"
                                                            : nullptr;
  };
  auto node =
      sb::parse_config("[server]\npublic_url = \"https://calls.example.com\"\n", "test.toml", env);
  BOOST_TEST(node.node_base() == "https://node-2.example.com");
  BOOST_TEST(node.stream_url() == "wss://node-2.example.com/realtime-stream");
  BOOST_TEST(node.call_next_url() == "https://calls.example.com/telephony/realtime-call-next");
  BOOST_TEST(node.inbound_webhook_url() ==
             "https://calls.example.com/telephony/realtime-inbound-voice");
}

BOOST_AUTO_TEST_CASE(a_node_url_that_is_not_http_is_refused_naming_the_key) {
  auto why = refusal("[cluster]\nnode_url = \"node-2:3000\"\n");
  BOOST_TEST(why.find("cluster.node_url") != std::string::npos, why);
  BOOST_TEST(refusal("[cluster]\nnode_url = \"http://127.0.0.1:3001\"\n").empty());
}
