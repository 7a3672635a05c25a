#include "net/detail/ws_handshake.hpp"

#include "net/detail/ws_frame.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

namespace sb::net::detail {

namespace beast = boost::beast;
namespace http = beast::http;

namespace {

/// The refusal that gets a 426 rather than a 400.
constexpr const char* bad_version = "unsupported Sec-WebSocket-Version";

/// Why `req` is not a valid upgrade (RFC 6455 4.2.1), or empty.
std::string upgrade_problem(const beast_request& req) {
  if (req.method() != http::verb::get || req.version() < 11)
    return "not a GET/1.1";
  if (!beast::websocket::is_upgrade(req))
    return "no Upgrade: websocket";
  if (req[http::field::sec_websocket_version] != "13")
    return bad_version;
  if (req[http::field::sec_websocket_key].size() != 24) // base64 of 16 bytes
    return "bad Sec-WebSocket-Key";
  return {};
}

} // namespace

ws_upgrade_answer ws_answer_upgrade(const beast_request& req) {
  auto problem = upgrade_problem(req);
  if (problem.empty())
    return {"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Accept: " +
                ws_accept_key(req[http::field::sec_websocket_key]) +
                "\r\nServer: switchboard\r\n\r\n",
            {}};
  // 426 names the version we speak (RFC 6455 4.4).
  const char* head = problem == bad_version ? "426 Upgrade Required\r\nSec-WebSocket-Version: 13"
                                            : "400 Bad Request";
  return {std::string("HTTP/1.1 ") + head +
              "\r\nServer: switchboard\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
          std::move(problem)};
}

http::request<http::empty_body> ws_upgrade_request(const url_parts& url, const std::string& key,
                                                   const header_list& headers) {
  http::request<http::empty_body> req{http::verb::get, url.target, 11};
  req.set(http::field::host, url.host_header);
  req.set(http::field::upgrade, "websocket");
  req.set(http::field::connection, "Upgrade");
  req.set(http::field::sec_websocket_key, key);
  req.set(http::field::sec_websocket_version, "13");
  req.set(http::field::user_agent, "switchboard");
  for (const auto& [k, v] : headers)
    req.set(k, v);
  return req;
}

std::string ws_upgrade_response_problem(const http::response<http::string_body>& res,
                                        std::string_view key) {
  if (res.result() != http::status::switching_protocols)
    return "HTTP " + std::to_string(res.result_int()) + " " + std::string(res.reason());
  if (!beast::iequals(res[http::field::upgrade], "websocket"))
    return "101 without Upgrade: websocket";
  if (res[http::field::sec_websocket_accept] != ws_accept_key(key))
    return "wrong Sec-WebSocket-Accept";
  return {};
}

} // namespace sb::net::detail
