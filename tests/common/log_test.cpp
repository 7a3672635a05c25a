#include "common/log.hpp"

#define BOOST_TEST_MODULE log
#include <boost/test/unit_test.hpp>

#include "common/json_text.hpp"

#include <rapidjson/document.h>

#include <mutex>
#include <string>
#include <vector>

using namespace sb;

namespace {

/// Lines the logger finished, instead of stderr; the logger's settings as
/// they were afterwards.
struct captured {
  captured() {
    log::set_sink([this](std::string_view l) { lines.emplace_back(l); });
  }
  ~captured() {
    log::set_sink({});
    log::set_format(log::format::text);
    log::set_level(log::level::info);
  }
  std::vector<std::string> lines;
};

rapidjson::Document json_line(const std::string& line) {
  rapidjson::Document d;
  d.Parse<rapidjson::kParseValidateEncodingFlag>(line.data(), line.size());
  BOOST_TEST_INFO("line: " << line);
  BOOST_REQUIRE(!d.HasParseError());
  BOOST_REQUIRE(d.IsObject());
  return d;
}

std::string str(const rapidjson::Value& v, const char* key) {
  auto it = v.FindMember(key);
  if (it == v.MemberEnd() || !it->value.IsString())
    return "<absent>";
  return {it->value.GetString(), it->value.GetStringLength()};
}

} // namespace

BOOST_AUTO_TEST_CASE(text_lines_keep_their_shape) {
  captured c;
  log::info("RealtimeServer", "Session configured for CA1", {"CA1", "Bright Plumbing"});
  BOOST_REQUIRE(c.lines.size() == 1u);
  const auto& l = c.lines[0];
  BOOST_TEST(l.find(" INFO  [RealtimeServer] Session configured for CA1") != std::string::npos);
  BOOST_TEST(l.find("Bright Plumbing") == std::string::npos); // the context is for JSON lines
  BOOST_TEST(l.back() != '\n');
}

BOOST_AUTO_TEST_CASE(json_lines_are_one_object_with_the_context) {
  captured c;
  log::set_format(log::format::json);
  log::warn("ToolCall", "quote \" backslash \\ newline \n tab \t bell \a bad \xff end",
            {"CA42", "Bright \"Plumbing\""});
  log::info("Server", "no call here");
  BOOST_REQUIRE(c.lines.size() == 2u);
  for (const auto& l : c.lines)
    BOOST_TEST(l.find('\n') == std::string::npos);
  auto d = json_line(c.lines[0]);
  BOOST_TEST(str(d, "level") == "warn");
  BOOST_TEST(str(d, "component") == "ToolCall");
  BOOST_TEST(str(d, "call_sid") == "CA42");
  BOOST_TEST(str(d, "tenant") == "Bright \"Plumbing\"");
  BOOST_TEST(str(d, "message") ==
             "quote \" backslash \\ newline \n tab \t bell \a bad \xEF\xBF\xBD end");
  BOOST_TEST(str(d, "ts").size() == 24u); // 2026-11-27T12:00:00.123Z
  auto e = json_line(c.lines[1]);
  BOOST_TEST(!e.HasMember("call_sid"));
  BOOST_TEST(!e.HasMember("tenant"));
}

BOOST_AUTO_TEST_CASE(wire_lines_ignore_the_level_and_carry_the_event) {
  captured c;
  log::set_level(log::level::error);
  log::info("RealtimeServer", "filtered out");
  log::wire("RealtimeServer", {"CA7", "T"}, true, "session.update", R"({"type":"session.update"})");
  log::wire("TwilioStream", {}, false, "connected", R"({"event":"connected"})");
  BOOST_REQUIRE(c.lines.size() == 2u);
  BOOST_TEST(c.lines[0].find(" DEBUG [RealtimeServer] CA7 -> session.update "
                             R"({"type":"session.update"})") != std::string::npos);
  BOOST_TEST(c.lines[1].find(R"( DEBUG [TwilioStream] <- connected {"event":"connected"})") !=
             std::string::npos);

  c.lines.clear();
  log::set_format(log::format::json);
  log::wire("RealtimeServer", {"CA7", "T"}, false, "response.done", R"({"type":"response.done"})");
  BOOST_REQUIRE(c.lines.size() == 1u);
  auto d = json_line(c.lines[0]);
  BOOST_TEST(str(d, "level") == "debug");
  BOOST_TEST(str(d, "message") == "<- response.done");
  BOOST_TEST(str(d, "direction") == "in");
  BOOST_TEST(str(d, "call_sid") == "CA7");
  BOOST_REQUIRE(d["event"].IsObject());
  BOOST_TEST(str(d["event"], "type") == "response.done");
}

BOOST_AUTO_TEST_CASE(formats_are_named_text_and_json) {
  log::format f = log::format::text;
  BOOST_TEST(log::parse_format("json", f));
  BOOST_TEST((f == log::format::json));
  BOOST_TEST(log::parse_format("text", f));
  BOOST_TEST((f == log::format::text));
  BOOST_TEST(!log::parse_format("JSON ", f));
  BOOST_TEST((f == log::format::text));
}

BOOST_AUTO_TEST_CASE(json_strings_replace_invalid_utf8_and_escape_controls) {
  std::string out;
  append_json_string(out, "ok \xC3\xA9 \xE2\x82\xAC \xF0\x9F\x93\x9E \xC0\xAF \xED\xA0\x80 \x7f");
  BOOST_TEST(out == "\"ok \xC3\xA9 \xE2\x82\xAC \xF0\x9F\x93\x9E \\ufffd\\ufffd "
                    "\\ufffd\\ufffd\\ufffd \\u007f\"");
}
