// Issue 17.1, languages, end to end with the stand-ins: a Spanish business
// greets in Spanish (its greeting for es), tells the input transcription
// "es", stores the call's language on the call and the job card (and the
// push), and gets its post-call summary in Spanish. A business serving two
// languages leaves the transcription's language out (the service detects
// it), tells the assistant to answer in the caller's, and still gets its
// summary in its own language. Every event sent is checked against OpenAI's
// schema.
#include "tests/call/call_fixture.hpp"

#define BOOST_TEST_MODULE e2e_languages
#include <boost/test/unit_test.hpp>

#include <rapidjson/document.h>

using namespace sb;
using namespace sb::test;

namespace {

const std::string spanish_greeting = "Gracias por llamar a Fontanería Brillante. Soy la "
                                     "recepcionista virtual. ¿En qué puedo ayudarle?";

/// The client events of `type`, the whole stream checked against the schema.
std::vector<std::string> sent(e2e_env& env, const std::string& type) {
  auto all = env.peer().client_events();
  BOOST_TEST(first_invalid_client_event(all) == "");
  std::vector<std::string> found;
  for (const auto& e : all)
    if (event_type(e) == type)
      found.push_back(e);
  return found;
}

rapidjson::Document parsed(const std::string& json) {
  rapidjson::Document d;
  d.Parse(json.c_str());
  BOOST_REQUIRE(d.IsObject());
  return d;
}

std::string summary_on(const storage::job& j) {
  auto a = parsed(j.analysis);
  BOOST_REQUIRE(a.HasMember("summary"));
  return a["summary"].GetString();
}

struct finished {
  sim::caller_result result;
  storage::call_record call;
  storage::job job;
};

finished run(e2e_env& env, const sim::call_script& script) {
  auto r = env.call(script);
  BOOST_TEST_INFO("caller error: " << r.error);
  BOOST_REQUIRE(r.ok);
  BOOST_REQUIRE(env.wait_for_no_calls());
  auto call = env.call_record(r.call_sid);
  auto job = env.job(r.call_sid);
  BOOST_REQUIRE(call.has_value());
  BOOST_REQUIRE(job.has_value());
  return {r, *call, *job};
}

} // namespace

BOOST_AUTO_TEST_CASE(a_spanish_call_is_greeted_transcribed_stored_and_summarised_in_spanish) {
  auto script = sim::spanish_script("+15557170501", "2030-01-02");
  e2e_options o{.scripts = {script}};
  o.tenant = [](storage::tenant& t) {
    t.language = "es";
    t.greetings["es"] = spanish_greeting;
  };
  e2e_env env(o);
  auto f = run(env, script);

  auto updates = sent(env, "session.update");
  BOOST_REQUIRE(!updates.empty());
  for (const auto& u : updates) {
    auto d = parsed(u);
    const auto& tr = d["session"]["audio"]["input"]["transcription"];
    BOOST_REQUIRE(tr.HasMember("language"));
    BOOST_TEST(std::string{tr["language"].GetString()} == "es");
    BOOST_TEST(std::string{d["session"]["instructions"].GetString()}.find("Speak Spanish.") !=
               std::string::npos);
  }
  bool greeted = false;
  for (const auto& c : sent(env, "response.create"))
    greeted = greeted || c.find(spanish_greeting) != std::string::npos;
  BOOST_TEST(greeted); // its greeting for es, not its (English) greeting

  BOOST_TEST(f.call.language == "es");
  BOOST_TEST(f.job.language == "es");
  BOOST_TEST(f.job.status == "new");
  BOOST_TEST(f.job.details.customer_name == "Ana García");
  BOOST_TEST(summary_on(f.job) == script.summaries.at("es"));
  // The card's own one-line summary is in Spanish too (common/phrases.cpp).
  BOOST_TEST(f.job.summary.find(" para Ana García el ") != std::string::npos, f.job.summary);

  BOOST_REQUIRE(env.wait_for_pushes(1, std::chrono::milliseconds{5000}));
  auto push = parsed(env.pushes().back());
  BOOST_REQUIRE(push.HasMember("language"));
  BOOST_TEST(std::string{push["language"].GetString()} == "es");
  BOOST_TEST(std::string{push["analysis"]["summary"].GetString()} == script.summaries.at("es"));
}

BOOST_AUTO_TEST_CASE(a_business_serving_two_languages_lets_the_caller_choose_and_reads_its_own) {
  auto script = sim::spanish_script("+15557170502", "2030-01-02");
  e2e_options o{.scripts = {script}};
  o.tenant = [](storage::tenant& t) { // an English business that also serves Spanish
    t.language = "en";
    t.languages = {"es"};
    t.greetings["es"] = spanish_greeting; // not its default: not the greeting
  };
  e2e_env env(o);
  auto f = run(env, script);

  for (const auto& u : sent(env, "session.update")) {
    auto d = parsed(u);
    // Not known in advance: left out, the service detects it.
    BOOST_TEST(!d["session"]["audio"]["input"]["transcription"].HasMember("language"));
    std::string instructions = d["session"]["instructions"].GetString();
    BOOST_TEST(instructions.find("answer in the caller's language when it is one of: English, "
                                 "Spanish;") != std::string::npos,
               instructions);
  }
  bool greeted_in_english = false;
  for (const auto& c : sent(env, "response.create")) {
    BOOST_TEST(c.find(spanish_greeting) == std::string::npos);
    greeted_in_english = greeted_in_english || c.find(tenant_greeting) != std::string::npos;
  }
  BOOST_TEST(greeted_in_english);
  BOOST_TEST(f.call.language == "en"); // the call's language is the business's default
  BOOST_TEST(summary_on(f.job) == script.summaries.at("en")); // for the business, in English
}
