#include "sim/caller_twiml.hpp"

#define BOOST_TEST_MODULE sim_caller_twiml
#include <boost/test/unit_test.hpp>

#include "protocol/twiml.hpp"

using namespace sb::sim;

BOOST_AUTO_TEST_CASE(reads_the_stream_url_and_parameters_of_the_servers_twiml) {
  auto xml = sb::proto::twiml_connect_stream("wss://pub.example/realtime-stream",
                                             {{"callSid", "CA1"}, {"note", "a&b \"c\""}});
  auto s = parse_twiml_stream(xml);
  BOOST_REQUIRE(s.ok());
  BOOST_TEST(s->url == "wss://pub.example/realtime-stream");
  BOOST_REQUIRE_EQUAL(s->parameters.size(), 2u);
  BOOST_TEST(s->parameters[0].first == "callSid");
  BOOST_TEST(s->parameters[1].second == "a&b \"c\"");
}

BOOST_AUTO_TEST_CASE(twiml_without_a_stream_is_an_error) {
  BOOST_TEST(parse_twiml_stream(sb::proto::twiml_say_hangup("Sorry")).err().code == "no_stream");
  BOOST_TEST(!parse_twiml_stream("<Response><Connect><Stream/></Connect></Response>").ok());
}

BOOST_AUTO_TEST_CASE(dials_the_stream_path_on_the_local_server) {
  BOOST_TEST(stream_connect_url("http://127.0.0.1:8080", "wss://pub.example/realtime-stream") ==
             "ws://127.0.0.1:8080/realtime-stream");
  BOOST_TEST(stream_connect_url("https://127.0.0.1:8443/", "wss://pub.example:443/a/b") ==
             "wss://127.0.0.1:8443/a/b");
  // A node behind a balancer names its own loopback address: dialled there.
  BOOST_TEST(stream_connect_url("http://127.0.0.1:8080", "ws://127.0.0.1:3002/realtime-stream") ==
             "ws://127.0.0.1:3002/realtime-stream");
}
