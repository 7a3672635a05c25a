#pragma once
// The WebSocket opening handshake (RFC 6455 section 4) without sockets: the
// server's answer to an upgrade request, and the client's request and its
// check of the server's 101. ws_session (server side) and ws_client (client
// side) put them on the wire; the keys themselves are in ws_frame.hpp.
// Internal to net/.

#include "net/detail/url_parts.hpp"
#include "net/http_types.hpp"

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <string>
#include <string_view>

namespace sb::net::detail {

using beast_request = boost::beast::http::request<boost::beast::http::string_body>;

/// What a server writes in answer to an upgrade request.
struct ws_upgrade_answer {
  std::string bytes;   ///< the whole HTTP response: 101, or 400 / 426 and no body
  std::string refusal; ///< empty if upgraded; else why not ("bad Sec-WebSocket-Key")
};

/// The answer to `req` (RFC 6455 4.2.1-4.2.2): 101 with its accept key for
/// a GET/1.1 with `Upgrade: websocket`, version 13 and a 24-character key;
/// 426 with `Sec-WebSocket-Version: 13` for another version; 400 otherwise.
ws_upgrade_answer ws_answer_upgrade(const beast_request& req);

/// The client's upgrade request for `url` with the fresh `key`, and the
/// caller's `headers` (Authorization: on the wire only, never logged).
boost::beast::http::request<boost::beast::http::empty_body>
ws_upgrade_request(const url_parts& url, const std::string& key, const header_list& headers);

/// Why the server's `response` to our request with `key` does not open a
/// WebSocket ("HTTP 401 Unauthorized", "wrong Sec-WebSocket-Accept"), or
/// empty if it does (RFC 6455 4.1, the client's checks).
std::string ws_upgrade_response_problem(
    const boost::beast::http::response<boost::beast::http::string_body>& res, std::string_view key);

} // namespace sb::net::detail
