// Issue 18: the debug switches and the JSON log format, on a real call.
// DEBUG_REALTIME alone logs every Realtime event both ways, DEBUG_TWILIO
// alone every Media Stream event both ways, each at the default level
// (info), with the event's fields and every audio payload elided to its
// size; `[log] format = "json"` makes every line one JSON object that names
// the call. The log is captured through log::set_sink.
#include "tests/call/call_fixture.hpp"

#define BOOST_TEST_MODULE e2e_debug_log
#include <boost/test/unit_test.hpp>

#include "common/log.hpp"

#include <rapidjson/document.h>

#include <algorithm>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

using namespace sb;
using namespace sb::test;

namespace {

/// The log's lines, from every thread, for as long as it lives.
class captured_log {
public:
  captured_log() {
    log::set_sink([this](std::string_view l) {
      std::lock_guard g{mu_};
      lines_.emplace_back(l);
    });
  }
  ~captured_log() { log::set_sink({}); }
  std::vector<std::string> lines() const {
    std::lock_guard g{mu_};
    return lines_;
  }

private:
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
};

/// Text lines of `component` for wire events: "[C] CA... -> type {...}" or,
/// before a stream names its call, "[C] <- type {...}".
std::vector<std::string> wire_lines(const std::vector<std::string>& lines,
                                    const std::string& component) {
  std::vector<std::string> out;
  const std::string tag = " DEBUG [" + component + "] ";
  for (const auto& l : lines) {
    auto at = l.find(tag);
    if (at == std::string::npos)
      continue;
    std::string rest = l.substr(at + tag.size());
    if (rest.rfind("CA", 0) == 0 && rest.find(' ') != std::string::npos)
      rest = rest.substr(rest.find(' ') + 1);
    if (rest.rfind("-> ", 0) == 0 || rest.rfind("<- ", 0) == 0)
      out.push_back(rest);
  }
  return out;
}

/// The lines that start with `prefix` ("-> media"), followed by a space.
std::vector<std::string> with_prefix(const std::vector<std::string>& wire,
                                     const std::string& prefix) {
  std::vector<std::string> out;
  for (const auto& l : wire)
    if (l.rfind(prefix + " {", 0) == 0)
      out.push_back(l);
  return out;
}

/// Longest run of base64 characters in `s`: an audio payload would be
/// hundreds long; identifiers, words and sizes are far shorter.
std::size_t longest_base64_run(const std::string& s) {
  std::size_t best = 0, run = 0;
  for (unsigned char c : s) {
    run = (std::isalnum(c) || c == '+' || c == '/' || c == '=') ? run + 1 : 0;
    best = std::max(best, run);
  }
  return best;
}

struct logged_call {
  sim::caller_result result;
  std::vector<std::string> lines; ///< everything the server logged, to its shutdown
  std::string auth_token;         ///< the fixture's Twilio secret
};

/// One call of `script` to a server configured by `tune`, at log level info
/// (the default; the fixture turns the log off), with the log captured.
logged_call run_logged(const sim::call_script& script, std::function<void(config&)> tune) {
  captured_log cap;
  logged_call out;
  {
    e2e_env env({.scripts = {script}, .tune = std::move(tune)});
    log::set_level(log::level::info);
    out.result = env.call(script);
    out.auth_token = env.auth_token();
    BOOST_TEST_INFO("caller error: " << out.result.error);
    BOOST_REQUIRE(out.result.ok);
    BOOST_REQUIRE(env.wait_for_no_calls());
  }
  log::set_format(log::format::text);
  out.lines = cap.lines();
  BOOST_REQUIRE(!out.lines.empty());
  return out;
}

void no_payload_and_no_secret(const logged_call& c) {
  for (const auto& l : c.lines) {
    BOOST_TEST_INFO("line: " << l.substr(0, 300));
    BOOST_TEST(longest_base64_run(l) < 64u);
    BOOST_TEST(l.find(c.auth_token) == std::string::npos);
    BOOST_TEST(l.find("e2e-key") == std::string::npos); // the OpenAI key the fixture sets
  }
}

sim::call_script barge_in_script(const std::string& number) {
  sim::call_script s;
  s.caller_number = number;
  s.greeting_clip = "one_moment";
  s.turns.push_back(make_turn("Hi, my kitchen sink is leaking under the cabinet.", "caller_1",
                              {full_booking("Dee Bug", "18 Log Lane", number)},
                              "I'm sorry to hear that. Can I get your name and the address?",
                              "reply_1"));
  auto second =
      make_turn("Great, thank you. Bye.", "caller_4", {}, "You're welcome. Goodbye!", "reply_4");
  second.barge_in_after_ms = 800; // talks over reply_1: the bridge sends `clear`
  s.turns.push_back(second);
  return s;
}

} // namespace

BOOST_AUTO_TEST_CASE(debug_realtime_alone_logs_every_realtime_event_both_ways) {
  auto c = run_logged(short_booking_script("+15557651801"), [](config& cfg) {
    cfg.debug.realtime = true;
    cfg.debug.twilio = false;
  });
  const auto& lines = c.lines;
  const auto& r = c.result;
  auto rt = wire_lines(lines, "RealtimeServer");
  BOOST_TEST_MESSAGE(rt.size() << " Realtime event lines");

  auto update = with_prefix(rt, "-> session.update");
  BOOST_REQUIRE(update.size() == 1u);
  BOOST_TEST(update[0].find(R"("instructions":")") != std::string::npos);
  auto appends = with_prefix(rt, "-> input_audio_buffer.append");
  BOOST_REQUIRE(!appends.empty());
  BOOST_TEST(appends[0].find(R"("audio":"<)") != std::string::npos);
  BOOST_TEST(appends[0].find(" bytes base64>") != std::string::npos);
  auto deltas = with_prefix(rt, "<- response.output_audio.delta");
  BOOST_REQUIRE(!deltas.empty());
  BOOST_TEST(deltas[0].find(R"("delta":"<)") != std::string::npos);
  BOOST_TEST(deltas[0].find(R"("item_id":")") != std::string::npos);
  BOOST_TEST(!with_prefix(rt, "<- session.updated").empty());
  BOOST_TEST(!with_prefix(rt, "<- response.done").empty());
  BOOST_TEST(!with_prefix(rt, "-> conversation.item.create").empty()); // the tool's output
  // Every line of the call carries its SID.
  auto sid_lines = std::count_if(lines.begin(), lines.end(), [&](const std::string& l) {
    return l.find("DEBUG [RealtimeServer] " + r.call_sid + " ") != std::string::npos;
  });
  BOOST_TEST(static_cast<std::size_t>(sid_lines) == rt.size());

  BOOST_TEST(wire_lines(lines, "TwilioStream").empty()); // DEBUG_TWILIO is off
  no_payload_and_no_secret(c);
}

BOOST_AUTO_TEST_CASE(debug_twilio_alone_logs_every_media_stream_event_both_ways) {
  auto c = run_logged(barge_in_script("+15557651802"), [](config& cfg) {
    cfg.debug.realtime = false;
    cfg.debug.twilio = true;
  });
  const auto& lines = c.lines;
  const auto& r = c.result;
  BOOST_REQUIRE(r.clears_received >= 1);
  auto tw = wire_lines(lines, "TwilioStream");
  BOOST_TEST_MESSAGE(tw.size() << " Media Stream event lines");

  BOOST_TEST(with_prefix(tw, "<- connected").size() == 1u);
  auto start = with_prefix(tw, "<- start");
  BOOST_REQUIRE(start.size() == 1u);
  BOOST_TEST(start[0].find(r.call_sid) != std::string::npos);
  for (const char* kind : {"<- media", "-> media", "-> mark", "<- mark"}) {
    auto got = with_prefix(tw, kind);
    BOOST_TEST_INFO(kind);
    BOOST_TEST(!got.empty());
  }
  auto media_in = with_prefix(tw, "<- media");
  BOOST_REQUIRE(!media_in.empty());
  BOOST_TEST(media_in[0].find(R"("payload":"<)") != std::string::npos);
  BOOST_TEST(with_prefix(tw, "-> media")[0].find(" bytes base64>") != std::string::npos);
  BOOST_TEST(with_prefix(tw, "-> clear").size() == static_cast<std::size_t>(r.clears_received));
  // The assistant's chunks each go out with a mark (docs/protocols.md 1);
  // the last pair may be cut by the socket's close.
  auto marks = with_prefix(tw, "-> mark").size(), media = with_prefix(tw, "-> media").size();
  BOOST_TEST(marks <= media);
  BOOST_TEST(marks + 1 >= media);

  BOOST_TEST(wire_lines(lines, "RealtimeServer").empty()); // DEBUG_REALTIME is off
  no_payload_and_no_secret(c);
}

BOOST_AUTO_TEST_CASE(json_format_makes_every_line_one_object_naming_the_call) {
  auto c = run_logged(short_booking_script("+15557651803"), [](config& cfg) {
    cfg.log.format = log::format::json;
    cfg.debug.realtime = true;
  });
  const auto& lines = c.lines;
  const auto& r = c.result;

  int of_the_call = 0, events = 0;
  for (const auto& l : lines) {
    BOOST_TEST_INFO("line: " << l.substr(0, 300));
    rapidjson::Document d;
    d.Parse<rapidjson::kParseValidateEncodingFlag>(l.data(), l.size());
    BOOST_REQUIRE(!d.HasParseError());
    BOOST_REQUIRE(d.IsObject());
    for (const char* key : {"ts", "level", "component", "message"})
      BOOST_TEST((d.HasMember(key) && d[key].IsString()));
    if (d.HasMember("call_sid") && d["call_sid"].GetString() == r.call_sid) {
      ++of_the_call;
      BOOST_TEST(std::string{d["tenant"].GetString()} == "Bright Plumbing");
    }
    if (d.HasMember("event")) {
      ++events;
      BOOST_TEST(d["event"].IsObject());
      BOOST_TEST(std::string{d["component"].GetString()} == "RealtimeServer");
    }
  }
  // The call's own lines (connected, configured, the transcript, ending,
  // finalized) and its events name it.
  BOOST_TEST(of_the_call > 5);
  BOOST_TEST(events > 10);
  auto finalized = std::find_if(lines.begin(), lines.end(), [&](const std::string& l) {
    return l.find("finalized") != std::string::npos;
  });
  BOOST_REQUIRE(finalized != lines.end());
  BOOST_TEST(finalized->find(R"("call_sid":")" + r.call_sid + "\"") != std::string::npos);
  BOOST_TEST(finalized->find(R"("component":"RealtimeServer")") != std::string::npos);
}
