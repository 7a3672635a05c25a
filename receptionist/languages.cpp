#include "receptionist/languages.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace sb::receptionist {

bool is_language_code(const std::string& code) {
  return code.size() == 2 &&
         std::all_of(code.begin(), code.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

std::vector<std::string> served_languages(const storage::tenant& t) {
  std::vector<std::string> out{call_language(t)};
  for (const auto& code : t.languages)
    if (std::find(out.begin(), out.end(), code) == out.end())
      out.push_back(code);
  return out;
}

std::string call_language(const storage::tenant& t) {
  return t.language.empty() ? "en" : t.language;
}

std::string transcription_language(const storage::tenant& t) {
  return served_languages(t).size() == 1 ? call_language(t) : "";
}

std::string greeting_for(const storage::tenant& t, const std::string& code) {
  auto it = t.greetings.find(code);
  return it != t.greetings.end() && !it->second.empty() ? it->second : t.greeting;
}

std::string language_name(const std::string& code) {
  static constexpr std::array<std::pair<const char*, const char*>, 12> names{{
      {"ar", "Arabic"},
      {"de", "German"},
      {"en", "English"},
      {"es", "Spanish"},
      {"fr", "French"},
      {"hi", "Hindi"},
      {"it", "Italian"},
      {"ja", "Japanese"},
      {"ko", "Korean"},
      {"pt", "Portuguese"},
      {"vi", "Vietnamese"},
      {"zh", "Chinese"},
  }};
  for (const auto& [c, name] : names)
    if (code == c)
      return name;
  return code;
}

status check_languages(const storage::tenant& t) {
  auto bad = [](const std::string& what) { return error{"bad_language", what}; };
  if (!is_language_code(t.language))
    return bad("the language must be an ISO 639-1 code like en or es (got '" + t.language + "')");
  for (const auto& code : t.languages)
    if (!is_language_code(code))
      return bad("each served language must be an ISO 639-1 code like en or es (got '" + code +
                 "')");
  auto served = served_languages(t);
  for (const auto& [code, text] : t.greetings) {
    if (std::find(served.begin(), served.end(), code) == served.end())
      return bad("a greeting in '" + code + "', a language the tenant does not serve");
    if (text.empty() || text.find('\n') != std::string::npos)
      return bad("the greeting in '" + code + "' must be one non-empty line");
  }
  return ok_status();
}

status add_greeting(storage::tenant& t, const std::string& code_eq_text) {
  auto eq = code_eq_text.find('=');
  if (eq == std::string::npos || !is_language_code(code_eq_text.substr(0, eq)))
    return error{"bad_language", "a greeting is CODE=TEXT, like es=Gracias por llamar (got '" +
                                     code_eq_text + "')"};
  t.greetings[code_eq_text.substr(0, eq)] = code_eq_text.substr(eq + 1);
  return ok_status();
}

} // namespace sb::receptionist
