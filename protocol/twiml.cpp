// TwiML documents (docs/protocols.md 1). Built by hand: the documents are
// tiny and fixed in shape, and every text or attribute goes through
// xml_escape, which is all an XML writer would add here.

#include "protocol/twiml.hpp"

namespace sb::proto {

namespace {

constexpr std::string_view xml_declaration = R"(<?xml version="1.0" encoding="UTF-8"?>)";

} // namespace

std::string xml_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (char c : s) {
    switch (c) {
    case '&': out += "&amp;"; break;
    case '<': out += "&lt;"; break;
    case '>': out += "&gt;"; break;
    case '"': out += "&quot;"; break;
    case '\'': out += "&apos;"; break;
    default: out.push_back(c);
    }
  }
  return out;
}

std::string twiml_connect_stream(std::string_view stream_url,
                                 const std::vector<std::pair<std::string, std::string>>& parameters) {
  std::string out(xml_declaration);
  out += "<Response><Connect><Stream url=\"";
  out += xml_escape(stream_url);
  out += "\">";
  // Twilio drops query strings on <Stream url>: per-call data travels as
  // <Parameter> and comes back in start.customParameters.
  for (const auto& [name, value] : parameters) {
    out += "<Parameter name=\"";
    out += xml_escape(name);
    out += "\" value=\"";
    out += xml_escape(value);
    out += "\"/>";
  }
  out += "</Stream></Connect><Hangup/></Response>";
  return out;
}

std::string twiml_say_hangup(std::string_view text) {
  std::string out(xml_declaration);
  out += "<Response><Say>";
  out += xml_escape(text);
  out += "</Say><Hangup/></Response>";
  return out;
}

} // namespace sb::proto
