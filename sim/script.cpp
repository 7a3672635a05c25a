#include "sim/script.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace sb::sim {

namespace {

script_turn turn(std::string caller_text, std::string caller_clip,
                 std::vector<scripted_function_call> calls, std::string reply_text,
                 std::string reply_clip) {
  script_turn t;
  t.caller_text = std::move(caller_text);
  t.caller_clip = std::move(caller_clip);
  t.calls = std::move(calls);
  t.reply_text = std::move(reply_text);
  t.reply_clip = std::move(reply_clip);
  return t;
}

std::string to_text(const rapidjson::Value& v) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  v.Accept(w);
  return sb.GetString();
}

std::string string_or(const rapidjson::Value& obj, const char* name, std::string fallback) {
  auto it = obj.FindMember(name);
  return it != obj.MemberEnd() && it->value.IsString() ? it->value.GetString() : fallback;
}

int int_or(const rapidjson::Value& obj, const char* name, int fallback) {
  auto it = obj.FindMember(name);
  return it != obj.MemberEnd() && it->value.IsInt() ? it->value.GetInt() : fallback;
}

} // namespace

call_script demo_script(const std::string& caller_number, const std::string& tomorrow) {
  call_script s;
  s.caller_number = caller_number;
  s.greeting_clip = "greeting";
  s.assistant_hangs_up = true;
  s.turns.push_back(
      turn("Hi, my kitchen sink is leaking under the cabinet.", "caller_1",
           {{"record_booking_details", R"({"service":"Leaking kitchen sink","urgency":"urgent"})"}},
           "I'm sorry to hear that. Can I get your name and the address?", "reply_1"));
  s.turns.push_back(
      turn("Sure, I'm Jane Doe, at 42 Elm Street, Springfield.", "caller_2",
           {{"record_booking_details",
             R"({"customer_name":"Jane Doe","address":"42 Elm Street, Springfield"})"}},
           "Thanks, Jane. When would you like us to come?", "reply_2"));
  s.turns.push_back(
      turn("Tomorrow at ten in the morning, if possible.", "caller_3",
           {{"check_availability", R"({"date":")" + tomorrow + R"(","time":"10:00"})"},
            {"record_booking_details", R"({"preferred_date":")" + tomorrow +
                                           R"(","preferred_time":"10:00","callback_phone":")" +
                                           caller_number + R"("})"}},
           "Tomorrow at ten works. You are booked, and we will call you back at this number.",
           "reply_3"));
  s.turns.push_back(
      turn("Great, thank you. Bye.", "caller_4", {}, "You're welcome. Goodbye!", "reply_4"));
  return s;
}

result<call_script> parse_script(const std::string& json) {
  rapidjson::Document doc;
  doc.Parse(json.c_str(), json.size());
  if (doc.HasParseError() || !doc.IsObject())
    return error{"malformed_json", "script is not a JSON object"};
  call_script s;
  s.caller_number = string_or(doc, "caller_number", s.caller_number);
  s.greeting_clip = string_or(doc, "greeting_clip", s.greeting_clip);
  if (auto it = doc.FindMember("stays_on_line"); it != doc.MemberEnd()) {
    if (!it->value.IsBool())
      return error{"bad_script", "stays_on_line must be a boolean"};
    s.stays_on_line = it->value.GetBool();
  }
  if (auto it = doc.FindMember("assistant_hangs_up"); it != doc.MemberEnd()) {
    if (!it->value.IsBool())
      return error{"bad_script", "assistant_hangs_up must be a boolean"};
    s.assistant_hangs_up = it->value.GetBool();
  }
  auto turns = doc.FindMember("turns");
  if (turns == doc.MemberEnd() || !turns->value.IsArray())
    return error{"bad_script", "turns must be an array"};
  for (const auto& t : turns->value.GetArray()) {
    if (!t.IsObject())
      return error{"bad_script", "each turn must be an object"};
    script_turn st;
    st.caller_text = string_or(t, "caller_text", "");
    st.caller_clip = string_or(t, "caller_clip", "");
    st.reply_text = string_or(t, "reply_text", "");
    st.reply_clip = string_or(t, "reply_clip", "");
    st.pause_before_ms = int_or(t, "pause_before_ms", st.pause_before_ms);
    st.barge_in_after_ms = int_or(t, "barge_in_after_ms", st.barge_in_after_ms);
    st.dtmf = string_or(t, "dtmf", "");
    st.key_gap_ms = int_or(t, "key_gap_ms", st.key_gap_ms);
    if ((st.caller_clip.empty() && st.dtmf.empty()) || st.reply_clip.empty())
      return error{"bad_script", "each turn needs caller_clip (or dtmf) and reply_clip"};
    if (auto calls = t.FindMember("calls"); calls != t.MemberEnd()) {
      if (!calls->value.IsArray())
        return error{"bad_script", "calls must be an array"};
      for (const auto& c : calls->value.GetArray()) {
        auto name = c.IsObject() ? c.FindMember("name") : c.MemberEnd();
        if (!c.IsObject() || name == c.MemberEnd() || !name->value.IsString())
          return error{"bad_script", "each call needs a name"};
        auto args = c.FindMember("arguments");
        std::string args_json = "{}";
        if (args != c.MemberEnd()) {
          if (!args->value.IsObject())
            return error{"bad_script", "call arguments must be an object"};
          args_json = to_text(args->value);
        }
        st.calls.push_back({name->value.GetString(), std::move(args_json)});
      }
    }
    s.turns.push_back(std::move(st));
  }
  return s;
}

} // namespace sb::sim
