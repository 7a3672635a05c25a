// TwiML documents (docs/protocols.md 1). Built by hand: the documents are
// tiny and fixed in shape, and every text or attribute goes through
// xml_escape, which is all an XML writer would add here.

#include "protocol/twiml.hpp"

namespace sb::proto {

namespace {

constexpr std::string_view xml_declaration = R"(<?xml version="1.0" encoding="UTF-8"?>)";

bool needs_escape(char c) {
  return c == '&' || c == '<' || c == '>' || c == '"' || c == '\'';
}

/// Appends `s` escaped: the webhook's answer is built in one string. Runs
/// of plain characters are appended whole (no per-character append on the
/// webhook's path, bench/RESULTS.md).
void append_escaped(std::string& out, std::string_view s) {
  while (!s.empty()) {
    std::size_t special = 0;
    while (special < s.size() && !needs_escape(s[special]))
      ++special;
    out.append(s.substr(0, special));
    if (special == s.size())
      return;
    switch (s[special]) {
    case '&':
      out += "&amp;";
      break;
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '"':
      out += "&quot;";
      break;
    default:
      out += "&apos;";
      break;
    }
    s.remove_prefix(special + 1);
  }
}

} // namespace

std::string xml_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  append_escaped(out, s);
  return out;
}

std::string twiml_connect_stream(
    std::string_view stream_url,
    std::initializer_list<std::pair<std::string_view, std::string_view>> parameters) {
  std::size_t size = xml_declaration.size() + stream_url.size() + 96;
  for (const auto& [name, value] : parameters)
    size += name.size() + value.size() + 32;
  std::string out;
  out.reserve(size); // room for a few escapes; the string grows if needed
  out += xml_declaration;
  out += "<Response><Connect><Stream url=\"";
  append_escaped(out, stream_url);
  out += "\">";
  // Twilio drops query strings on <Stream url>: per-call data travels as
  // <Parameter> and comes back in start.customParameters.
  for (const auto& [name, value] : parameters) {
    out += "<Parameter name=\"";
    append_escaped(out, name);
    out += "\" value=\"";
    append_escaped(out, value);
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
