#pragma once
// What the simulated caller reads from TwiML and where it sends requests:
// the <Stream> URL and its <Parameter> children (docs/protocols.md 1), and
// the mapping of the URLs TwiML names (public, as Twilio sees them) to the
// local server the simulation dials.

#include "common/result.hpp"
#include "sim/twiml_reader.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sb::sim {

struct twiml_stream {
  std::string url; ///< as written, e.g. "wss://host/realtime-stream"
  std::vector<std::pair<std::string, std::string>> parameters;
};

/// The <Stream> of a <Connect> (or <Start>) element; error {"no_stream"}
/// when it has none or the <Stream> has no url.
result<twiml_stream> stream_of(const twiml_node& connect);

/// The first <Connect><Stream> of a whole document; error {"no_stream"} when
/// there is none, {"bad_twiml"} when the document cannot be read.
result<twiml_stream> parse_twiml_stream(std::string_view xml);

/// The URL to dial for `stream_url`: its path and query on `server_url`'s
/// host ("http://127.0.0.1:8080" + "wss://pub.example/s" -> "ws://127.0.0.1:8080/s");
/// a stream URL on 127.0.0.1 itself (a cluster node's own) is dialled as it is.
std::string stream_connect_url(const std::string& server_url, const std::string& stream_url);

/// A URL named in TwiML (action, <Redirect>, a callback): `signed_url` is
/// what Twilio would request and sign, `dial_url` where the simulation sends
/// it. Relative URLs and URLs on `public_url` go to `server_url`; any other
/// absolute URL is requested as written.
struct request_target {
  std::string signed_url;
  std::string dial_url;
};
request_target resolve_twiml_url(const std::string& server_url, const std::string& public_url,
                                 const std::string& url);

} // namespace sb::sim
