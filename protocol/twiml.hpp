#pragma once
// TwiML answers to the Voice webhook (docs/protocols.md 1).

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace sb::proto {

/// <Response><Connect><Stream url=...><Parameter .../>...</Stream></Connect><Hangup/></Response>
/// The trailing <Hangup/> runs when the server closes the stream socket, which
/// is how the bridge hangs up (end_call) without the REST API.
std::string twiml_connect_stream(
    std::string_view stream_url,
    std::initializer_list<std::pair<std::string_view, std::string_view>> parameters);

/// <Response><Say>text</Say><Hangup/></Response>
std::string twiml_say_hangup(std::string_view text);

/// XML-escapes &, <, >, ", '.
std::string xml_escape(std::string_view s);

} // namespace sb::proto
