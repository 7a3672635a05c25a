// The opening handshake of net/ws_handshake.cpp without sockets: the
// server's answer to each kind of upgrade request (RFC 6455 4.2.1-4.2.2),
// and the client's request and its checks of the server's answer (4.1).
// The keys are the RFC's own example (1.3), not computed by the code under
// test.
#define BOOST_TEST_MODULE net_ws_handshake
#include <boost/test/unit_test.hpp>

#include "net/detail/ws_handshake.hpp"

#include <boost/beast/http/field.hpp>

#include <string>

using namespace sb::net::detail;
namespace http = boost::beast::http;

namespace {

// RFC 6455 1.3: this key's accept value.
const std::string rfc_key = "dGhlIHNhbXBsZSBub25jZQ==";
const std::string rfc_accept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

beast_request upgrade_request() {
  beast_request req{http::verb::get, "/media-stream", 11};
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::upgrade, "websocket");
  req.set(http::field::connection, "Upgrade");
  req.set(http::field::sec_websocket_key, rfc_key);
  req.set(http::field::sec_websocket_version, "13");
  return req;
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

http::response<http::string_body> switching(const std::string& accept) {
  http::response<http::string_body> res{http::status::switching_protocols, 11};
  res.set(http::field::upgrade, "WebSocket"); // compared without case
  res.set(http::field::connection, "Upgrade");
  res.set(http::field::sec_websocket_accept, accept);
  return res;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_valid_upgrade_gets_101_with_the_rfc_accept_key) {
  auto answer = ws_answer_upgrade(upgrade_request());
  BOOST_TEST(answer.refusal.empty());
  BOOST_TEST(starts_with(answer.bytes, "HTTP/1.1 101 Switching Protocols\r\n"));
  BOOST_TEST(answer.bytes.find("\r\nSec-WebSocket-Accept: " + rfc_accept + "\r\n") !=
             std::string::npos);
  BOOST_TEST(answer.bytes.find("\r\nUpgrade: websocket\r\n") != std::string::npos);
  BOOST_TEST(answer.bytes.substr(answer.bytes.size() - 4) == "\r\n\r\n");
}

BOOST_AUTO_TEST_CASE(another_version_gets_426_naming_13) {
  auto req = upgrade_request();
  req.set(http::field::sec_websocket_version, "8");
  auto answer = ws_answer_upgrade(req);
  BOOST_TEST(answer.refusal == "unsupported Sec-WebSocket-Version");
  BOOST_TEST(starts_with(answer.bytes, "HTTP/1.1 426 Upgrade Required\r\n"));
  BOOST_TEST(answer.bytes.find("\r\nSec-WebSocket-Version: 13\r\n") != std::string::npos);
  BOOST_TEST(answer.bytes.find("Sec-WebSocket-Accept") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(each_bad_request_gets_400_and_says_why) {
  struct bad_case {
    const char* why;
    void (*spoil)(beast_request&);
  };
  const bad_case cases[] = {
      {"not a GET/1.1", [](beast_request& r) { r.method(http::verb::post); }},
      {"not a GET/1.1", [](beast_request& r) { r.version(10); }},
      {"no Upgrade: websocket", [](beast_request& r) { r.erase(http::field::upgrade); }},
      {"no Upgrade: websocket", [](beast_request& r) { r.set(http::field::upgrade, "h2c"); }},
      {"no Upgrade: websocket", [](beast_request& r) { r.erase(http::field::connection); }},
      {"version", [](beast_request& r) { r.erase(http::field::sec_websocket_version); }},
      {"bad Sec-WebSocket-Key", [](beast_request& r) { r.erase(http::field::sec_websocket_key); }},
      {"bad Sec-WebSocket-Key",
       [](beast_request& r) { r.set(http::field::sec_websocket_key, "c2hvcnQ="); }},
  };
  for (const auto& c : cases) {
    auto req = upgrade_request();
    c.spoil(req);
    auto answer = ws_answer_upgrade(req);
    BOOST_TEST_CONTEXT(c.why) {
      BOOST_TEST(!answer.refusal.empty());
      BOOST_TEST(answer.bytes.find("Sec-WebSocket-Accept") == std::string::npos);
      if (std::string(c.why) == "version") {
        BOOST_TEST(starts_with(answer.bytes, "HTTP/1.1 426 "));
      } else {
        BOOST_TEST(answer.refusal == c.why);
        BOOST_TEST(starts_with(answer.bytes, "HTTP/1.1 400 Bad Request\r\n"));
        BOOST_TEST(answer.bytes.find("\r\nContent-Length: 0\r\n") != std::string::npos);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(the_client_request_carries_the_key_version_and_callers_headers) {
  url_parts url;
  url.target = "/v1/realtime?model=gpt-realtime";
  url.host_header = "127.0.0.1:9443";
  auto req = ws_upgrade_request(url, rfc_key, {{"Authorization", "Bearer sk-test"}});
  BOOST_TEST(req.method() == http::verb::get);
  BOOST_TEST(req.version() == 11);
  BOOST_TEST(req.target() == url.target);
  BOOST_TEST(req[http::field::host] == url.host_header);
  BOOST_TEST(req[http::field::sec_websocket_key] == rfc_key);
  BOOST_TEST(req[http::field::sec_websocket_version] == "13");
  BOOST_TEST(req[http::field::authorization] == "Bearer sk-test");
  // Our own request is one our own server accepts.
  beast_request as_server;
  as_server.method(req.method());
  as_server.version(req.version());
  for (const auto& field : req)
    as_server.set(field.name_string(), field.value());
  BOOST_TEST(ws_answer_upgrade(as_server).refusal.empty());
}

BOOST_AUTO_TEST_CASE(the_client_accepts_only_a_101_with_the_right_accept_key) {
  BOOST_TEST(ws_upgrade_response_problem(switching(rfc_accept), rfc_key).empty());

  BOOST_TEST(ws_upgrade_response_problem(switching("AAAAAAAAAAAAAAAAAAAAAAAAAAA="), rfc_key) ==
             "wrong Sec-WebSocket-Accept");
  auto no_accept = switching(rfc_accept);
  no_accept.erase(http::field::sec_websocket_accept);
  BOOST_TEST(ws_upgrade_response_problem(no_accept, rfc_key) == "wrong Sec-WebSocket-Accept");

  auto no_upgrade = switching(rfc_accept);
  no_upgrade.erase(http::field::upgrade);
  BOOST_TEST(ws_upgrade_response_problem(no_upgrade, rfc_key) == "101 without Upgrade: websocket");

  http::response<http::string_body> refused{http::status::unauthorized, 11};
  BOOST_TEST(ws_upgrade_response_problem(refused, rfc_key) == "HTTP 401 Unauthorized");
}
