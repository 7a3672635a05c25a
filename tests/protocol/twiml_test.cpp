#include "protocol/twiml.hpp"

#define BOOST_TEST_MODULE twiml
#include <boost/test/unit_test.hpp>

#include "tests/protocol/mini_xml.hpp"

using namespace sb::proto;
using sb::test::mini_xml;
using sb::test::xml_element;

namespace {

xml_element parse_or_fail(const std::string& doc) {
  std::string error;
  auto root = mini_xml::parse(doc, &error);
  BOOST_REQUIRE_MESSAGE(root, "not well-formed XML (" << error << "): " << doc);
  return *root;
}

std::vector<std::string> child_names(const xml_element& e) {
  std::vector<std::string> names;
  for (const auto& c : e.children)
    names.push_back(c.name);
  return names;
}

} // namespace

BOOST_AUTO_TEST_CASE(the_test_reader_rejects_malformed_xml) {
  BOOST_TEST(!mini_xml::parse("<Response><Say>a & b</Say></Response>").has_value());
  BOOST_TEST(!mini_xml::parse("<Response><Say>x</Response>").has_value());
  BOOST_TEST(!mini_xml::parse("<Stream url=\"a\"b\"/>").has_value());
  BOOST_TEST(mini_xml::parse("<?xml version=\"1.0\"?><A x=\"&amp;\"><B/></A>").has_value());
}

BOOST_AUTO_TEST_CASE(connect_stream_nests_parameters_and_hangs_up_after) {
  std::string doc = twiml_connect_stream("wss://bridge.example/realtime-stream",
                                         {{"callSid", "CA0123"}, {"to", "+15551234567"}});
  BOOST_TEST(doc.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", 0) == 0u);
  xml_element root = parse_or_fail(doc);
  BOOST_TEST(root.name == "Response");
  BOOST_TEST((child_names(root) == std::vector<std::string>{"Connect", "Hangup"}));
  const xml_element& connect = root.children[0];
  BOOST_TEST((child_names(connect) == std::vector<std::string>{"Stream"}));
  const xml_element& stream = connect.children[0];
  BOOST_TEST(stream.attribute("url").value_or("") == "wss://bridge.example/realtime-stream");
  BOOST_TEST((child_names(stream) == std::vector<std::string>{"Parameter", "Parameter"}));
  BOOST_TEST(stream.children[0].attribute("name").value_or("") == "callSid");
  BOOST_TEST(stream.children[0].attribute("value").value_or("") == "CA0123");
  BOOST_TEST(stream.children[1].attribute("name").value_or("") == "to");
  BOOST_TEST(stream.children[1].attribute("value").value_or("") == "+15551234567");
  BOOST_TEST(root.children[1].children.empty());
}

BOOST_AUTO_TEST_CASE(connect_stream_redirects_after_the_stream_when_given_a_url) {
  xml_element root = parse_or_fail(twiml_connect_stream(
      "wss://h.example/s", {}, "https://h.example/telephony/realtime-call-next?a=1&b=2"));
  BOOST_TEST((child_names(root) == std::vector<std::string>{"Connect", "Redirect"}));
  BOOST_TEST(root.children[1].attribute("method").value_or("") == "POST");
  BOOST_TEST(root.children[1].text == "https://h.example/telephony/realtime-call-next?a=1&b=2");
}

BOOST_AUTO_TEST_CASE(connect_stream_escapes_attribute_values) {
  std::string doc =
      twiml_connect_stream("wss://h.example/s?a=1&b=\"2\"", {{"who", "Tom & \"Jerry\" <'x'>"}});
  xml_element root = parse_or_fail(doc);
  const xml_element& stream = root.children.at(0).children.at(0);
  BOOST_TEST(stream.attribute("url").value_or("") == "wss://h.example/s?a=1&b=\"2\"");
  BOOST_TEST(stream.children.at(0).attribute("value").value_or("") == "Tom & \"Jerry\" <'x'>");
}

BOOST_AUTO_TEST_CASE(connect_stream_without_parameters) {
  xml_element root = parse_or_fail(twiml_connect_stream("wss://h.example/s", {}));
  BOOST_TEST(root.children.at(0).children.at(0).children.empty());
}

BOOST_AUTO_TEST_CASE(say_then_hangup_escapes_text) {
  xml_element root = parse_or_fail(twiml_say_hangup("Sorry & goodbye, \"friend\" <3"));
  BOOST_TEST(root.name == "Response");
  BOOST_TEST((child_names(root) == std::vector<std::string>{"Say", "Hangup"}));
  BOOST_TEST(root.children[0].text == "Sorry & goodbye, \"friend\" <3");
}

BOOST_AUTO_TEST_CASE(xml_escape_covers_the_five_predefined_entities) {
  BOOST_TEST(xml_escape("&<>\"'") == "&amp;&lt;&gt;&quot;&apos;");
  BOOST_TEST(xml_escape("plain") == "plain");
  BOOST_TEST(xml_escape("") == "");
  BOOST_TEST(xml_escape("a&b<c>d\"e'f") == "a&amp;b&lt;c&gt;d&quot;e&apos;f");
  BOOST_TEST(xml_escape("&&tail") == "&amp;&amp;tail");
}

// -- verbs for the REST API and the fallbacks (docs/protocols.md 6) --

BOOST_AUTO_TEST_CASE(a_transfer_says_its_line_then_dials_with_caller_id_timeout_and_action) {
  dial_options d;
  d.number = "+15557654321";
  d.caller_id = "+15550001111";
  d.timeout_s = 20;
  d.action = "https://sb.example/telephony/dial-status?call=CA1&n=2";
  BOOST_TEST(twiml_dial("Connecting you to Sam & co.", d) ==
             R"(<?xml version="1.0" encoding="UTF-8"?><Response>)"
             R"(<Say>Connecting you to Sam &amp; co.</Say>)"
             R"(<Dial callerId="+15550001111" timeout="20" )"
             R"(action="https://sb.example/telephony/dial-status?call=CA1&amp;n=2">)"
             R"(<Number>+15557654321</Number></Dial></Response>)");
  parse_or_fail(twiml_dial("x", d));
}

BOOST_AUTO_TEST_CASE(a_bare_dial_leaves_twilios_defaults_alone) {
  dial_options d;
  d.number = "+15557654321";
  d.answer_on_bridge = true;
  BOOST_TEST(twiml_dial("", d) == R"(<?xml version="1.0" encoding="UTF-8"?><Response>)"
                                  R"(<Dial answerOnBridge="true"><Number>+15557654321</Number>)"
                                  R"(</Dial></Response>)");
}

BOOST_AUTO_TEST_CASE(voicemail_says_the_prompt_records_then_says_goodbye_and_hangs_up) {
  record_options r;
  r.max_length_s = 120;
  r.finish_on_key = "#";
  r.recording_status_callback = "https://sb.example/telephony/realtime-recording-status?t=a&b";
  std::string doc = twiml_voicemail("Please leave a message <after> the beep.", r, "Thanks, bye!");
  BOOST_TEST(doc == R"(<?xml version="1.0" encoding="UTF-8"?><Response>)"
                    R"(<Say>Please leave a message &lt;after&gt; the beep.</Say>)"
                    R"(<Record maxLength="120" finishOnKey="#" playBeep="true" )"
                    R"(recordingStatusCallback="https://sb.example/telephony/)"
                    R"(realtime-recording-status?t=a&amp;b"/>)"
                    R"(<Say>Thanks, bye!</Say><Hangup/></Response>)");
  xml_element root = parse_or_fail(doc);
  BOOST_TEST((child_names(root) == std::vector<std::string>{"Say", "Record", "Say", "Hangup"}));
}

BOOST_AUTO_TEST_CASE(record_writes_every_attribute_it_is_given) {
  record_options r;
  r.max_length_s = 60;
  r.play_beep = false;
  r.timeout_s = 3;
  r.action = "/vm-done";
  BOOST_TEST(verb_record(r) == R"(<Record maxLength="60" playBeep="false" timeout="3" )"
                               R"(action="/vm-done"/>)");
  BOOST_TEST(verb_hangup() == "<Hangup/>");
  BOOST_TEST(verb_say("'hi'") == "<Say>&apos;hi&apos;</Say>");
  BOOST_TEST(twiml_response({}) ==
             R"(<?xml version="1.0" encoding="UTF-8"?><Response></Response>)");
}
