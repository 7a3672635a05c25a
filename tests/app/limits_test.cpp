// The server's limits and transport as configured from sb::config: body and
// header sizes, slow clients, TLS from certificate files.
#include "app/server.hpp"

#include "tests/app/app_fixture.hpp"
#include "tests/net/net_fixture.hpp"

#include "net/test_ca.hpp"

#include <boost/test/unit_test.hpp>

#include <fstream>

namespace {

using namespace sb::app::test;
using sb::net::test::raw_client;
using sb::net::test::status_of;

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out{path, std::ios::binary};
  out << text;
  BOOST_REQUIRE(out.good());
}

/// A server config on loopback with an ephemeral port and its database in
/// `dir`, for tests that only look at whether the server starts.
sb::config loopback_config(const temp_dir& dir) {
  sb::config c;
  c.server.bind_address = "127.0.0.1";
  c.server.port = 0;
  c.storage.path = dir.file("db.sqlite");
  return c;
}

} // namespace

BOOST_AUTO_TEST_SUITE(limits)

BOOST_AUTO_TEST_CASE(body_over_the_limit_is_413_and_nothing_is_stored) {
  test_server s{[](sb::config& c) { c.server.max_body_bytes = 1024; }};
  auto params = inbound_form("CAbig");
  params.emplace_back("Padding", std::string(2000, 'x'));
  auto r = s.post_form(inbound_path, params);
  BOOST_TEST(r.status == 413);
  std::this_thread::sleep_for(200ms);
  BOOST_TEST(s.srv().active_calls() == 0);
  auto call = s.open_store()->get_call("CAbig");
  BOOST_REQUIRE(call.ok());
  BOOST_TEST(!call->has_value());
  // Control: the same webhook under the limit is taken.
  auto small = inbound_form("CAsmall");
  small.emplace_back("Padding", std::string(200, 'x'));
  BOOST_TEST(s.post_form(inbound_path, small).status == 200);
}

BOOST_AUTO_TEST_CASE(header_over_the_limit_is_431) {
  test_server s{[](sb::config& c) { c.server.max_header_bytes = 2048; }};
  raw_client c{s.port()};
  BOOST_REQUIRE(c.connected());
  c.send("GET /telephony/realtime-health HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4096, 'a') +
         "\r\n\r\n");
  BOOST_TEST(status_of(c.read_response()) == 431);
  // Control: a normal request on a new connection is served.
  BOOST_TEST(s.get("/telephony/realtime-health").status == 200);
}

BOOST_AUTO_TEST_CASE(a_slow_client_is_cut_off_and_the_server_keeps_serving) {
  test_server s{[](sb::config& c) { c.server.read_timeout = 500ms; }};
  raw_client slow{s.port(), 5000ms};
  BOOST_REQUIRE(slow.connected());
  auto t0 = std::chrono::steady_clock::now();
  BOOST_REQUIRE(slow.send("POST /telephony/realtime-inbound-voice HTTP/1.1\r\nHost: x\r\n"
                          "Content-Type: application/x-www-form-urlencoded\r\n"
                          "Content-Length: 100\r\n\r\nCallSid=CAslow"));
  // While it dawdles, others are served.
  BOOST_TEST(s.get("/telephony/realtime-health").status == 200);
  // The server answers (408) and/or closes; either way the socket ends.
  std::string rest = slow.read_response();
  if (!rest.empty())
    BOOST_TEST(status_of(rest) == 408);
  bool closed = rest.empty() || slow.closed_by_peer();
  auto elapsed = std::chrono::steady_clock::now() - t0;
  BOOST_TEST(closed);
  BOOST_TEST((elapsed >= 400ms));
  BOOST_TEST((elapsed < 4000ms));
  BOOST_TEST(s.get("/telephony/realtime-health").status == 200);
  BOOST_TEST(s.srv().active_calls() == 0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(tls)

BOOST_AUTO_TEST_CASE(serves_https_from_certificate_files) {
  temp_dir certs;
  auto ca = sb::net::make_test_ca("Switchboard Test CA");
  auto leaf = sb::net::make_server_cert(ca, {"localhost"}, {"127.0.0.1"});
  write_file(certs.file("cert.pem"), leaf.cert_pem);
  write_file(certs.file("key.pem"), leaf.key_pem);
  test_server s{[&](sb::config& c) {
    c.server.tls_cert = certs.file("cert.pem");
    c.server.tls_key = certs.file("key.pem");
  }};
  BOOST_TEST(s.base_url().rfind("https://", 0) == 0);
  auto r = s.get("/telephony/realtime-health", ca.cert_pem);
  BOOST_TEST(r.error == "");
  BOOST_TEST(r.status == 200);
  BOOST_TEST(r.body.find("\"healthy\"") != std::string::npos);
  // Without the CA the certificate is not trusted.
  auto untrusted = s.get("/telephony/realtime-health");
  BOOST_TEST(untrusted.status == 0);
  BOOST_TEST(untrusted.error != "");
}

BOOST_AUTO_TEST_CASE(refuses_to_start_with_a_missing_certificate) {
  temp_dir dir;
  sb::config c = loopback_config(dir);
  c.server.tls_cert = dir.file("missing-cert.pem");
  c.server.tls_key = dir.file("missing-key.pem");
  sb::log::set_level(sb::log::level::off);
  auto r = sb::app::server::start(c);
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.err().code == "tls");
}

BOOST_AUTO_TEST_CASE(refuses_to_start_with_an_unreadable_openai_ca_file) {
  temp_dir dir;
  sb::config c = loopback_config(dir);
  c.openai.realtime_url = "wss://127.0.0.1:9/v1/realtime";
  c.openai.ca_file = dir.file("missing-ca.pem");
  sb::log::set_level(sb::log::level::off);
  auto r = sb::app::server::start(c);
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.err().code == "openai_tls");
  BOOST_TEST(r.err().message.find("openai.ca_file") != std::string::npos);
  BOOST_TEST(r.err().message.find("missing-ca.pem") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
