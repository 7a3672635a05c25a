#pragma once
// What the simulated caller needs from a TwiML answer: the <Stream> URL and
// its <Parameter> children (docs/protocols.md 1). A small tolerant scan, not
// an XML parser: the server's TwiML comes from proto::twiml_connect_stream.

#include "common/result.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sb::sim {

struct twiml_stream {
  std::string url; ///< as written, e.g. "wss://host/realtime-stream"
  std::vector<std::pair<std::string, std::string>> parameters;
};

/// Error {"no_stream"} when the TwiML has no <Stream url="...">.
result<twiml_stream> parse_twiml_stream(std::string_view xml);

/// Replaces &amp; &lt; &gt; &quot; &apos;.
std::string xml_unescape(std::string_view s);

/// The URL to dial for `stream_url`: its path and query on `server_url`'s
/// host ("http://127.0.0.1:8080" + "wss://pub.example/s" -> "ws://127.0.0.1:8080/s").
std::string stream_connect_url(const std::string& server_url, const std::string& stream_url);

} // namespace sb::sim
