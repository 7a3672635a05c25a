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

/// Appends ` name="value"` (value escaped).
void append_attribute(std::string& out, std::string_view name, std::string_view value) {
  out += ' ';
  out += name;
  out += "=\"";
  append_escaped(out, value);
  out += '"';
}

void append_int_attribute(std::string& out, std::string_view name, int value) {
  if (value > 0)
    append_attribute(out, name, std::to_string(value));
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
    std::initializer_list<std::pair<std::string_view, std::string_view>> parameters,
    std::string_view after_url) {
  std::size_t size = xml_declaration.size() + stream_url.size() + after_url.size() + 128;
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
  out += "</Stream></Connect>";
  if (after_url.empty()) {
    out += "<Hangup/>";
  } else {
    out += "<Redirect method=\"POST\">";
    append_escaped(out, after_url);
    out += "</Redirect>";
  }
  out += "</Response>";
  return out;
}

std::string twiml_say_hangup(std::string_view text) {
  std::string out(xml_declaration);
  out += "<Response><Say>";
  out += xml_escape(text);
  out += "</Say><Hangup/></Response>";
  return out;
}

std::string verb_say(std::string_view text) {
  std::string out = "<Say>";
  append_escaped(out, text);
  out += "</Say>";
  return out;
}

std::string verb_hangup() {
  return "<Hangup/>";
}

std::string verb_redirect(std::string_view url) {
  std::string out = "<Redirect method=\"POST\">";
  append_escaped(out, url);
  return out + "</Redirect>";
}

std::string verb_dial(const dial_options& o) {
  std::string out = "<Dial";
  if (!o.caller_id.empty())
    append_attribute(out, "callerId", o.caller_id);
  append_int_attribute(out, "timeout", o.timeout_s);
  if (!o.action.empty())
    append_attribute(out, "action", o.action);
  if (!o.method.empty())
    append_attribute(out, "method", o.method);
  if (o.answer_on_bridge)
    append_attribute(out, "answerOnBridge", "true");
  out += "><Number>";
  append_escaped(out, o.number);
  out += "</Number></Dial>";
  return out;
}

std::string verb_record(const record_options& o) {
  std::string out = "<Record";
  append_int_attribute(out, "maxLength", o.max_length_s);
  if (!o.finish_on_key.empty())
    append_attribute(out, "finishOnKey", o.finish_on_key);
  append_attribute(out, "playBeep", o.play_beep ? "true" : "false");
  append_int_attribute(out, "timeout", o.timeout_s);
  if (!o.recording_status_callback.empty())
    append_attribute(out, "recordingStatusCallback", o.recording_status_callback);
  if (!o.action.empty())
    append_attribute(out, "action", o.action);
  out += "/>";
  return out;
}

std::string twiml_response(std::initializer_list<std::string_view> verbs) {
  std::string out(xml_declaration);
  out += "<Response>";
  for (auto v : verbs)
    out += v;
  out += "</Response>";
  return out;
}

std::string twiml_dial(std::string_view say_first, const dial_options& dial) {
  if (say_first.empty())
    return twiml_response({verb_dial(dial)});
  return twiml_response({verb_say(say_first), verb_dial(dial)});
}

std::string twiml_voicemail(std::string_view prompt, const record_options& record,
                            std::string_view goodbye) {
  return twiml_response({verb_say(prompt), verb_record(record), verb_say(goodbye), verb_hangup()});
}

} // namespace sb::proto
