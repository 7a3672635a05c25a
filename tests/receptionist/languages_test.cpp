// receptionist/languages.hpp: which language a call is held in, what the
// transcription is told, which greeting is said, and what is refused.
#include "common/phrases.hpp"
#include "receptionist/languages.hpp"
#include "receptionist/session.hpp"

#define BOOST_TEST_MODULE receptionist_languages
#include <boost/test/unit_test.hpp>

using namespace sb;
using namespace sb::receptionist;

namespace {

storage::tenant spanish_business() {
  storage::tenant t;
  t.name = "Fontanería Brillante";
  t.greeting = "Thanks for calling.";
  t.language = "es";
  t.greetings["es"] = "Gracias por llamar.";
  return t;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_single_language_business_is_greeted_and_transcribed_in_it) {
  auto t = spanish_business();
  BOOST_TEST(call_language(t) == "es");
  BOOST_TEST(transcription_language(t) == "es");
  BOOST_TEST(greeting_for(t, "es") == "Gracias por llamar.");
  BOOST_TEST(greeting_instructions(t).find("\"Gracias por llamar.\"") != std::string::npos);
  BOOST_TEST(language_instructions(t) == "Speak Spanish.");
  auto p = session_for(t, "+15550001111", openai_config{});
  BOOST_TEST(p.language == "es");
  BOOST_TEST(p.instructions.find("Speak Spanish.") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_language_without_its_own_greeting_gets_the_tenants_greeting) {
  auto t = spanish_business();
  BOOST_TEST(greeting_for(t, "en") == "Thanks for calling.");
  t.greetings.clear();
  BOOST_TEST(greeting_instructions(t).find("\"Thanks for calling.\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(several_languages_leave_the_transcription_to_detect_the_callers) {
  auto t = spanish_business();
  t.languages = {"en", "es", "fr"}; // the default listed again counts once
  BOOST_TEST(served_languages(t) == (std::vector<std::string>{"es", "en", "fr"}),
             boost::test_tools::per_element());
  BOOST_TEST(call_language(t) == "es");
  BOOST_TEST(transcription_language(t) == "");
  BOOST_TEST(language_instructions(t) ==
             "Greet the caller in Spanish. Then always answer in the caller's language when it is "
             "one of: Spanish, English, French; otherwise answer in Spanish.");
}

BOOST_AUTO_TEST_CASE(an_unset_language_is_english_and_an_unknown_code_is_named_by_its_code) {
  storage::tenant t;
  t.language = "";
  BOOST_TEST(call_language(t) == "en");
  BOOST_TEST(language_name("es") == "Spanish");
  BOOST_TEST(language_name("sw") == "sw");
}

BOOST_AUTO_TEST_CASE(bad_codes_and_greetings_are_refused_with_a_reason) {
  auto t = spanish_business();
  BOOST_TEST(check_languages(t).ok());
  auto bad = t;
  bad.language = "Spanish";
  BOOST_TEST(!check_languages(bad).ok());
  bad = t;
  bad.languages = {"EN"};
  BOOST_TEST(!check_languages(bad).ok());
  bad = t;
  bad.greetings["fr"] = "Bonjour"; // fr is not served
  auto s = check_languages(bad);
  BOOST_TEST_REQUIRE(!s.ok());
  BOOST_TEST(s.err().code == "bad_language");
  BOOST_TEST(s.err().message.find("'fr'") != std::string::npos);
  bad = t;
  bad.greetings["es"] = "two\nlines";
  BOOST_TEST(!check_languages(bad).ok());
}

BOOST_AUTO_TEST_CASE(add_greeting_reads_code_equals_text) {
  storage::tenant t;
  BOOST_TEST(add_greeting(t, "es=Hola = buenos días").ok());
  BOOST_TEST(t.greetings.at("es") == "Hola = buenos días");
  BOOST_TEST(!add_greeting(t, "Hola").ok());
  BOOST_TEST(!add_greeting(t, "spanish=Hola").ok());
}

// -- phrases: what Switchboard itself says and writes, in the business's language

BOOST_AUTO_TEST_CASE(without_a_greeting_of_its_own_a_business_is_greeted_in_its_language) {
  storage::tenant t;
  t.name = "Fontanería Brillante";
  t.language = "es";
  BOOST_TEST(greeting_instructions(t).find(
                 "\"Gracias por llamar a Fontanería Brillante. ¿En qué puedo ayudarle?\"") !=
                 std::string::npos,
             greeting_instructions(t));
  t.language = "";
  BOOST_TEST(greeting_instructions(t).find("\"Thanks for calling Fontanería Brillante.") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_consent_sentence_is_the_configured_one_or_the_businesss_own) {
  storage::tenant t;
  t.language = "de";
  BOOST_TEST(consent_sentence(t, "") == "Dieser Anruf wird aufgezeichnet.");
  BOOST_TEST(consent_sentence(t, "This call is recorded.") == "Dieser Anruf wird aufgezeichnet.");
  BOOST_TEST(consent_sentence(t, "Calls are recorded for training.") ==
             "Calls are recorded for training.");
  t.language = "fr";
  BOOST_TEST(
      greeting_instructions(t, consent_sentence(t, "")).find("\"Cet appel est enregistré. ") !=
      std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_language_without_phrases_falls_back_to_english) {
  BOOST_TEST(has_phrases("es"));
  BOOST_TEST(has_phrases("pt"));
  BOOST_TEST(!has_phrases("ja"));
  BOOST_TEST(std::string{phrases_for("ja").consent} == "This call is recorded.");
  BOOST_TEST(fill_phrase("a %s b %s", {"X", "%s"}) == "a X b %s");
  BOOST_TEST(fill_phrase("no slot", {"X"}) == "no slot");
}
