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

namespace {

/// The words of a booking call (leaking sink, name, address, tomorrow at
/// ten) in one language; its clips are `prefix` + caller_N / reply_N.
struct booking_words {
  std::string prefix;
  std::string caller[4];
  std::string reply[4];
  std::string service, customer_name, address;
};

call_script booking_script(const booking_words& b, const std::string& caller_number,
                           const std::string& tomorrow) {
  call_script s;
  s.caller_number = caller_number;
  s.greeting_clip = b.prefix + "greeting";
  s.assistant_hangs_up = true;
  const std::vector<std::vector<scripted_function_call>> calls{
      {{"record_booking_details", R"({"service":")" + b.service + R"(","urgency":"urgent"})"}},
      {{"record_booking_details",
        R"({"customer_name":")" + b.customer_name + R"(","address":")" + b.address + R"("})"}},
      {{"check_availability", R"({"date":")" + tomorrow + R"(","time":"10:00"})"},
       {"record_booking_details", R"({"preferred_date":")" + tomorrow +
                                      R"(","preferred_time":"10:00","callback_phone":")" +
                                      caller_number + R"("})"}},
      {}};
  for (int i = 0; i < 4; ++i) {
    const auto n = std::to_string(i + 1);
    s.turns.push_back(
        turn(b.caller[i], b.prefix + "caller_" + n, calls[i], b.reply[i], b.prefix + "reply_" + n));
  }
  return s;
}

} // namespace

call_script demo_script(const std::string& caller_number, const std::string& tomorrow) {
  static const booking_words english{
      "",
      {"Hi, my kitchen sink is leaking under the cabinet.",
       "Sure, I'm Jane Doe, at 42 Elm Street, Springfield.",
       "Tomorrow at ten in the morning, if possible.", "Great, thank you. Bye."},
      {"I'm sorry to hear that. Can I get your name and the address?",
       "Thanks, Jane. When would you like us to come?",
       "Tomorrow at ten works. You are booked, and we will call you back at this number.",
       "You're welcome. Goodbye!"},
      "Leaking kitchen sink",
      "Jane Doe",
      "42 Elm Street, Springfield"};
  return booking_script(english, caller_number, tomorrow);
}

call_script spanish_script(const std::string& caller_number, const std::string& tomorrow) {
  // The texts of sim/audio/clips.txt's es_ clips.
  static const booking_words spanish{
      "es_",
      {"Hola, el fregadero de mi cocina gotea debajo del mueble.",
       "Claro, soy Ana García, en la calle Olmo cuarenta y dos, Springfield.",
       "Mañana a las diez de la mañana, si es posible.", "Perfecto, gracias. Adiós."},
      {"Lamento oír eso. ¿Me puede dar su nombre y la dirección?",
       "Gracias, Ana. ¿Cuándo quiere que vayamos?",
       "Mañana a las diez está bien. Queda reservado y le llamaremos a este número.",
       "De nada. ¡Adiós!"},
      "Fregadero de cocina con fuga",
      "Ana García",
      "Calle Olmo 42, Springfield"};
  auto s = booking_script(spanish, caller_number, tomorrow);
  s.summaries["es"] = "La clienta reservó una visita por un fregadero con fuga.\n"
                      "Mañana a las diez; llamar al número de la llamada.";
  s.summaries["en"] = "The caller booked a visit for a leaking sink.\n"
                      "Tomorrow at ten; call back at the calling number.";
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
  if (auto it = doc.FindMember("summaries"); it != doc.MemberEnd()) {
    if (!it->value.IsObject())
      return error{"bad_script", "summaries must be an object of language code to text"};
    for (const auto& m : it->value.GetObject()) {
      if (!m.value.IsString())
        return error{"bad_script", "each summary must be a string"};
      s.summaries[m.name.GetString()] = m.value.GetString();
    }
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
