#pragma once
// A tenant's languages (issue 17.1): its default (the business's own), the
// ones it serves, a greeting per language. A call is held in the tenant's
// default language: it is greeted in it, its input transcription is told it
// when that is the only language served (else the service detects it), and
// with several served the assistant answers in the caller's. The post-call
// summary is written in the default language, for the business.

#include "common/result.hpp"
#include "storage/records.hpp"

#include <string>
#include <vector>

namespace sb::receptionist {

/// An ISO 639-1 code as stored: two lowercase ASCII letters ("es").
bool is_language_code(const std::string& code);

/// The default language first ("en" when unset), then the other served
/// ones, each once.
std::vector<std::string> served_languages(const storage::tenant& t);

/// The language a call of `t` is held in: its default.
std::string call_language(const storage::tenant& t);

/// The language input transcription is told: the call's when it is the only
/// one served, else "" (the service detects it).
std::string transcription_language(const storage::tenant& t);

/// The greeting for `code`: greetings[code], else the tenant's greeting
/// (empty: the caller of this picks a default).
std::string greeting_for(const storage::tenant& t, const std::string& code);

/// "Spanish" for "es" (the codes a business is likely to use); else the code.
std::string language_name(const std::string& code);

/// Checks the tenant's language settings: every code well formed, every
/// greeting's language served. Error {"bad_language"} says what is wrong.
status check_languages(const storage::tenant& t);

/// "es=Hola..." (the CLI's --greeting-for) into greetings; error {"bad_language"}.
status add_greeting(storage::tenant& t, const std::string& code_eq_text);

} // namespace sb::receptionist
