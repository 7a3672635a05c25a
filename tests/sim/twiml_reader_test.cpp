#include "sim/twiml_reader.hpp"

#define BOOST_TEST_MODULE sim_twiml_reader
#include <boost/test/unit_test.hpp>

#include "protocol/twiml.hpp"
#include "sim/caller_twiml.hpp"

using namespace sb::sim;

BOOST_AUTO_TEST_CASE(reads_verbs_attributes_text_and_self_closing_tags) {
  auto doc = read_twiml(R"(<?xml version="1.0" encoding="UTF-8"?>
<!-- a transfer -->
<Response>
  <Say voice='alice'>  Connecting you &amp; yours  </Say>
  <Dial callerId="+15550001111" timeout = "20" action="/a?x=1&amp;y=2">
    <Number>+15557654321</Number>
  </Dial>
  <Hangup/>
  <Pause length="2" />
</Response>)");
  BOOST_REQUIRE_MESSAGE(doc.ok(), (doc.ok() ? "" : doc.err().message));
  BOOST_TEST(doc->name == "Response");
  BOOST_REQUIRE_EQUAL(doc->children.size(), 4u);
  const auto& say = doc->children[0];
  BOOST_TEST(say.name == "Say");
  BOOST_TEST(say.text == "Connecting you & yours");
  BOOST_TEST(say.attribute("voice") == "alice");
  const auto& dial = doc->children[1];
  BOOST_TEST(dial.attribute("timeout") == "20");
  BOOST_TEST(dial.attribute("action") == "/a?x=1&y=2");
  BOOST_TEST(dial.attribute("method", "POST") == "POST");
  BOOST_TEST(!dial.has_attribute("method"));
  BOOST_REQUIRE(dial.child("Number"));
  BOOST_TEST(dial.child("Number")->text == "+15557654321");
  BOOST_TEST(doc->children[2].name == "Hangup");
  BOOST_TEST(doc->children[3].attribute("length") == "2");
}

BOOST_AUTO_TEST_CASE(reads_what_the_builders_write) {
  sb::proto::record_options r;
  r.max_length_s = 60;
  r.finish_on_key = "#";
  r.recording_status_callback = "https://sb.example/cb?a=1&b=2";
  auto doc = read_twiml(sb::proto::twiml_voicemail("Leave a \"message\" <now>", r, "Bye"));
  BOOST_REQUIRE(doc.ok());
  BOOST_REQUIRE_EQUAL(doc->children.size(), 4u);
  BOOST_TEST(doc->children[0].text == "Leave a \"message\" <now>");
  BOOST_TEST(doc->children[1].attribute("recordingStatusCallback") ==
             "https://sb.example/cb?a=1&b=2");
  BOOST_TEST(doc->children[1].attribute("maxLength") == "60");
}

BOOST_AUTO_TEST_CASE(decodes_numeric_references_and_keeps_unknown_entities) {
  auto doc = read_twiml("<Response><Say>it&#39;s &#x263A; &nbsp; &#0; R&D</Say></Response>");
  BOOST_REQUIRE(doc.ok());
  BOOST_TEST(doc->children[0].text == "it's \xE2\x98\xBA &nbsp; &#0; R&D");
}

BOOST_AUTO_TEST_CASE(an_empty_response_has_no_verbs) {
  BOOST_TEST(read_twiml("<Response/>")->children.empty());
  BOOST_TEST(read_twiml("<Response></Response>")->children.empty());
}

BOOST_AUTO_TEST_CASE(refuses_what_it_cannot_read) {
  BOOST_TEST(read_twiml("").err().code == "bad_twiml");
  BOOST_TEST(!read_twiml("<Response><Say>x</Response>").ok());             // mismatched close
  BOOST_TEST(!read_twiml("<Response><Say>x</Say>").ok());                  // unterminated
  BOOST_TEST(!read_twiml("<Response><Dial timeout=20/></Response>").ok()); // unquoted
  BOOST_TEST(!read_twiml("<Response/><Response/>").ok());                  // two roots
  BOOST_TEST(!read_twiml("<Say>x</Say>").ok());                            // not <Response>
  BOOST_TEST(!read_twiml("<Response><Dial timeout=\"20></Dial></Response>").ok());
}

BOOST_AUTO_TEST_CASE(urls_named_in_twiml_go_to_the_local_server_when_they_are_the_servers) {
  const std::string server = "http://127.0.0.1:8080", pub = "https://sb.example";
  auto rel = resolve_twiml_url(server, pub, "/telephony/dial-status?call=CA1");
  BOOST_TEST(rel.signed_url == "https://sb.example/telephony/dial-status?call=CA1");
  BOOST_TEST(rel.dial_url == "http://127.0.0.1:8080/telephony/dial-status?call=CA1");
  auto abs = resolve_twiml_url(server, pub, "https://sb.example/next");
  BOOST_TEST(abs.signed_url == "https://sb.example/next");
  BOOST_TEST(abs.dial_url == "http://127.0.0.1:8080/next");
  auto other = resolve_twiml_url(server, pub, "http://127.0.0.1:9999/hook");
  BOOST_TEST(other.signed_url == "http://127.0.0.1:9999/hook");
  BOOST_TEST(other.dial_url == "http://127.0.0.1:9999/hook");
}
