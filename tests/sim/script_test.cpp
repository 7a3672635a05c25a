#include "sim/script.hpp"

#define BOOST_TEST_MODULE sim_script
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sstream>

using namespace sb::sim;

BOOST_AUTO_TEST_CASE(demo_script_books_a_plumber_in_four_turns) {
  auto s = demo_script("+15557654321", "2030-01-02");
  BOOST_TEST(s.caller_number == "+15557654321");
  BOOST_TEST(s.greeting_clip == "greeting");
  BOOST_TEST(s.assistant_hangs_up);
  BOOST_REQUIRE_EQUAL(s.turns.size(), 4u);
  BOOST_REQUIRE_EQUAL(s.turns[2].calls.size(), 2u);
  BOOST_TEST(s.turns[2].calls[0].name == "check_availability");
  BOOST_TEST(s.turns[2].calls[0].arguments_json == R"({"date":"2030-01-02","time":"10:00"})");
  BOOST_TEST(s.turns[2].calls[1].arguments_json.find("+15557654321") != std::string::npos);
  BOOST_TEST(s.turns[3].calls.empty());
  BOOST_TEST(s.turns[0].caller_clip == "caller_1");
  BOOST_TEST(s.turns[3].reply_clip == "reply_4");
}

BOOST_AUTO_TEST_CASE(parses_the_committed_demo_script_like_demo_script) {
  std::ifstream in(SB_SOURCE_DIR "/sim/scripts/demo.json");
  std::stringstream text;
  text << in.rdbuf();
  auto parsed = parse_script(text.str());
  BOOST_REQUIRE_MESSAGE(parsed.ok(), (parsed.ok() ? "" : parsed.err().message));
  auto demo = demo_script("+15550001111", "2026-11-28");
  BOOST_REQUIRE_EQUAL(parsed->turns.size(), demo.turns.size());
  for (std::size_t i = 0; i < demo.turns.size(); ++i) {
    BOOST_TEST(parsed->turns[i].caller_text == demo.turns[i].caller_text);
    BOOST_TEST(parsed->turns[i].reply_text == demo.turns[i].reply_text);
    BOOST_REQUIRE_EQUAL(parsed->turns[i].calls.size(), demo.turns[i].calls.size());
    for (std::size_t c = 0; c < demo.turns[i].calls.size(); ++c) {
      BOOST_TEST(parsed->turns[i].calls[c].name == demo.turns[i].calls[c].name);
      BOOST_TEST(parsed->turns[i].calls[c].arguments_json == demo.turns[i].calls[c].arguments_json);
    }
  }
}

BOOST_AUTO_TEST_CASE(spanish_script_books_the_same_visit_in_spanish_clips) {
  auto en = demo_script("+15557654321", "2030-01-02");
  auto es = spanish_script("+15557654321", "2030-01-02");
  BOOST_TEST(es.greeting_clip == "es_greeting");
  BOOST_REQUIRE_EQUAL(es.turns.size(), en.turns.size());
  for (std::size_t i = 0; i < es.turns.size(); ++i) {
    BOOST_TEST(es.turns[i].caller_clip == "es_" + en.turns[i].caller_clip);
    BOOST_TEST(es.turns[i].reply_clip == "es_" + en.turns[i].reply_clip);
    BOOST_TEST(es.turns[i].calls.size() == en.turns[i].calls.size());
  }
  BOOST_TEST(es.turns[2].calls[0].arguments_json == en.turns[2].calls[0].arguments_json);
  BOOST_TEST(es.turns[1].calls[0].arguments_json.find("Ana García") != std::string::npos);
  BOOST_TEST(es.summaries.count("es") == 1u);
  BOOST_TEST(es.summaries.count("en") == 1u);
  BOOST_TEST(en.summaries.empty());
}

BOOST_AUTO_TEST_CASE(parse_script_reads_summaries_by_language) {
  auto s = parse_script(R"({"summaries":{"es":"Hola.\nAdiós."},"turns":[]})");
  BOOST_REQUIRE(s.ok());
  BOOST_TEST(s->summaries.at("es") == "Hola.\nAdiós.");
  BOOST_TEST(!parse_script(R"({"summaries":["es"],"turns":[]})").ok());
  BOOST_TEST(!parse_script(R"({"summaries":{"es":1},"turns":[]})").ok());
}

BOOST_AUTO_TEST_CASE(parse_script_reads_barge_in_and_hang_up_settings) {
  auto s = parse_script(R"({"caller_number":"+1555","assistant_hangs_up":false,"turns":[
    {"caller_text":"a","caller_clip":"caller_1","reply_text":"b","reply_clip":"reply_1",
     "pause_before_ms":50,"barge_in_after_ms":700}]})");
  BOOST_REQUIRE(s.ok());
  BOOST_TEST(!s->assistant_hangs_up);
  BOOST_TEST(s->turns[0].pause_before_ms == 50);
  BOOST_TEST(s->turns[0].barge_in_after_ms == 700);
  BOOST_TEST(s->turns[0].calls.empty());
}

BOOST_AUTO_TEST_CASE(parse_script_rejects_malformed_scripts) {
  BOOST_TEST(!parse_script("{").ok());
  BOOST_TEST(!parse_script(R"({"turns":{}})").ok());
  BOOST_TEST(!parse_script(R"({"turns":[{"caller_text":"x"}]})").ok());
  BOOST_TEST(
      parse_script(R"({"turns":[{"caller_clip":"a","reply_clip":"b","calls":[{"arguments":{}}]}]})")
          .err()
          .code == "bad_script");
  BOOST_TEST(!parse_script(R"({"assistant_hangs_up":"yes","turns":[]})").ok());
}
