// The Twilio webhooks of the real server, over real sockets: TwiML answers,
// signature checks, and the HTTP errors of the routes.
#include "app/routes.hpp"

#include "actors/webhook_answer.hpp"

#define BOOST_TEST_MODULE app_routes
#include "tests/app/app_fixture.hpp"
#include "tests/protocol/mini_xml.hpp"

#include <chrono>
#include <map>
#include <thread>

#include <boost/test/unit_test.hpp>

namespace {

using namespace sb::app::test;
using sb::test::mini_xml;
using sb::test::xml_element;

/// Parses a TwiML body; fails the test when it is not well-formed XML.
xml_element twiml_of(const sb::net::http_client_result& r) {
  std::string error;
  auto root = mini_xml::parse(r.body, &error);
  BOOST_REQUIRE_MESSAGE(root.has_value(), "TwiML is not well-formed: " << error << "\n" << r.body);
  return *root;
}

std::vector<std::string> names_of(const std::vector<xml_element>& elements) {
  std::vector<std::string> out;
  for (const auto& e : elements)
    out.push_back(e.name);
  return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(inbound_voice)

BOOST_AUTO_TEST_CASE(known_number_connects_the_call_to_the_media_stream) {
  test_server s;
  auto r = s.post_form(inbound_path, inbound_form("CAknown1"));
  BOOST_TEST(r.error == "");
  BOOST_TEST(r.status == 200);
  BOOST_TEST(header_of(r, "Content-Type").rfind("text/xml", 0) == 0);
  auto root = twiml_of(r);
  BOOST_TEST(root.name == "Response");
  BOOST_TEST(names_of(root.children) == (std::vector<std::string>{"Connect", "Redirect"}),
             boost::test_tools::per_element());
  BOOST_REQUIRE(root.children.size() == 2);
  // Once the stream ends Twilio asks what next (voicemail or hang up).
  BOOST_TEST(root.children[1].attribute("method").value_or("") == "POST");
  BOOST_TEST(root.children[1].text == "https://switchboard.test/telephony/realtime-call-next");
  const auto& connect = root.children[0];
  BOOST_REQUIRE(connect.children.size() == 1);
  const auto& stream = connect.children[0];
  BOOST_TEST(stream.name == "Stream");
  BOOST_TEST(stream.attribute("url").value_or("") == "wss://switchboard.test/realtime-stream");
  std::map<std::string, std::string> params;
  for (const auto& p : stream.children) {
    BOOST_TEST(p.name == "Parameter");
    params[p.attribute("name").value_or("?")] = p.attribute("value").value_or("");
  }
  BOOST_TEST(params.size() == 4u);
  BOOST_TEST(params["callSid"] == "CAknown1");
  BOOST_TEST(params["from"] == caller_number);
  BOOST_TEST(params["to"] == tenant_number);
  BOOST_TEST(params["tenant"] == tenant_number);
}

BOOST_AUTO_TEST_CASE(a_retried_webhook_gets_the_same_answer_and_one_call) {
  test_server s;
  auto first = s.post_form(inbound_path, inbound_form("CAretry"));
  auto second = s.post_form(inbound_path, inbound_form("CAretry"));
  BOOST_TEST(first.status == 200);
  BOOST_TEST(second.status == 200);
  BOOST_TEST(first.body == second.body);
  BOOST_TEST(s.srv().active_calls() == 1);
}

BOOST_AUTO_TEST_CASE(calls_to_a_known_number_are_answered_from_the_tenant_cache_and_spawned) {
  // The first webhook reads the tenant from storage; the next ones, within
  // the cache's two seconds, are answered by the route on the io thread.
  test_server s;
  for (const char* sid : {"CAcache1", "CAcache2", "CAcache3"}) {
    auto r = s.post_form(inbound_path, inbound_form(sid));
    BOOST_TEST(r.status == 200);
    BOOST_TEST(r.body.find(std::string{"value=\""} + sid + "\"") != std::string::npos, r.body);
    BOOST_TEST(r.body.find("<Stream") != std::string::npos);
  }
  // Each answer names a call that exists: the registry spawns it after.
  for (int i = 0; i < 200 && s.srv().active_calls() < 3; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  BOOST_TEST(s.srv().active_calls() == 3);
}

BOOST_AUTO_TEST_CASE(a_cached_tenant_is_served_until_its_ttl_then_storage_decides_again) {
  // The cache's promise (actors/webhook_answer.hpp): a tenant found in
  // storage answers the next calls from memory for tenant_cache::ttl_ms,
  // and an edit made behind the server's back (here: `tenants remove` from
  // another process) reaches new calls once that has passed. Without the
  // cache the second call would be refused at once.
  using sb::actors::tenant_cache;
  test_server s;
  auto first = s.post_form(inbound_path, inbound_form("CAttl1"));
  const auto cached_at = std::chrono::steady_clock::now();
  BOOST_REQUIRE(first.status == 200);
  BOOST_REQUIRE(first.body.find("<Stream") != std::string::npos);
  auto removed = s.open_store()->remove_tenant(tenant_number);
  BOOST_REQUIRE(removed.ok());
  BOOST_REQUIRE(*removed);

  auto second = s.post_form(inbound_path, inbound_form("CAttl2"));
  auto elapsed = std::chrono::steady_clock::now() - cached_at;
  if (elapsed < std::chrono::milliseconds(tenant_cache::ttl_ms)) {
    BOOST_TEST(second.status == 200);
    BOOST_TEST(second.body.find("<Stream") != std::string::npos, second.body);
  } else { // a machine too loaded to ask within the TTL cannot show the cache
    BOOST_WARN_MESSAGE(false, "the second webhook came after the cache's TTL; not checked");
  }

  std::this_thread::sleep_until(cached_at + std::chrono::milliseconds(tenant_cache::ttl_ms) +
                                200ms);
  auto third = s.post_form(inbound_path, inbound_form("CAttl3"));
  BOOST_TEST(third.status == 200);
  auto root = twiml_of(third);
  BOOST_TEST(names_of(root.children) == (std::vector<std::string>{"Say", "Hangup"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_number_without_a_tenant_is_not_cached) {
  // A tenant added right after a call to its number was refused answers the
  // next call at once: only found tenants are cached.
  test_server s;
  const std::string number = "+15559990000";
  auto refused = twiml_of(s.post_form(inbound_path, inbound_form("CAneg1", number)));
  BOOST_TEST(names_of(refused.children) == (std::vector<std::string>{"Say", "Hangup"}),
             boost::test_tools::per_element());
  sb::storage::tenant t;
  t.number = number;
  t.name = "Late Plumbing";
  BOOST_REQUIRE(s.open_store()->add_tenant(t).ok());
  auto answered = twiml_of(s.post_form(inbound_path, inbound_form("CAneg2", number)));
  BOOST_REQUIRE(!answered.children.empty());
  BOOST_TEST(answered.children[0].name == "Connect");
}

BOOST_AUTO_TEST_CASE(unknown_number_says_sorry_and_hangs_up) {
  test_server s;
  auto r = s.post_form(inbound_path, inbound_form("CAunknown", "+15559999999"));
  BOOST_TEST(r.status == 200);
  BOOST_TEST(header_of(r, "Content-Type").rfind("text/xml", 0) == 0);
  auto root = twiml_of(r);
  BOOST_TEST(root.name == "Response");
  BOOST_TEST(names_of(root.children) == (std::vector<std::string>{"Say", "Hangup"}),
             boost::test_tools::per_element());
  BOOST_REQUIRE(!root.children.empty());
  BOOST_TEST(!root.children[0].text.empty());
  BOOST_TEST(s.srv().active_calls() == 0);
}

BOOST_AUTO_TEST_CASE(missing_call_sid_is_a_bad_request) {
  test_server s;
  auto r = s.post_form(inbound_path, {{"From", caller_number}, {"To", tenant_number}});
  BOOST_TEST(r.status == 400);
  BOOST_TEST(s.srv().active_calls() == 0);
}

BOOST_AUTO_TEST_CASE(malformed_form_body_is_a_bad_request) {
  test_server s;
  sb::net::http_client_request req;
  req.url = s.base_url() + inbound_path;
  req.content_type = "application/x-www-form-urlencoded";
  req.body = "CallSid=CAbad&To=%2B1555123%ZZ0000";
  req.headers.emplace_back("X-Twilio-Signature", "irrelevant");
  auto r = s.send(std::move(req));
  BOOST_TEST(r.status == 400);
  BOOST_TEST(s.srv().active_calls() == 0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(signatures)

BOOST_AUTO_TEST_CASE(rejects_a_missing_signature_header) {
  test_server s;
  auto r = s.post_form(inbound_path, inbound_form("CAnosig"), std::string{});
  BOOST_TEST(r.status == 403);
  BOOST_TEST(s.srv().active_calls() == 0);
}

BOOST_AUTO_TEST_CASE(rejects_tampered_parameter) {
  test_server s;
  auto signed_params = inbound_form("CAtamper");
  auto sig = sb::proto::twilio_signature(auth_token, std::string{public_url} + inbound_path,
                                         signed_params);
  auto sent = inbound_form("CAtamper", "+15550000001"); // To changed after signing
  auto r = s.post_form(inbound_path, sent, sig);
  BOOST_TEST(r.status == 403);
  // Control: the untampered form with the same signature is accepted.
  BOOST_TEST(s.post_form(inbound_path, signed_params, sig).status == 200);
}

BOOST_AUTO_TEST_CASE(rejects_a_signature_over_a_wrong_url) {
  test_server s;
  auto params = inbound_form("CAwrongurl");
  for (std::string url :
       {std::string{"https://evil.test"} + inbound_path, std::string{public_url} + recording_path,
        "http://127.0.0.1:" + std::to_string(s.port()) + inbound_path}) {
    BOOST_TEST_INFO("signed over " << url);
    auto r =
        s.post_form(inbound_path, params, sb::proto::twilio_signature(auth_token, url, params));
    BOOST_TEST(r.status == 403);
  }
}

BOOST_AUTO_TEST_CASE(behind_a_balancer_the_nodes_own_url_is_signed_too) {
  // Twilio signs the balancer's URL (server.public_url), or this node's own
  // (cluster.node_url) when another node sent the caller here; any other
  // URL stays refused.
  const std::string node_url = "https://node-2.example.com";
  test_server s{[&](sb::config& c) { c.cluster.node_url = node_url; }};
  auto params = inbound_form("CAnodeurl");
  BOOST_TEST(s.post_form(inbound_path, params,
                         sb::proto::twilio_signature(auth_token, node_url + inbound_path, params))
                 .status == 200);
  auto other = inbound_form("CAnodeurl2");
  BOOST_TEST(
      s.post_form(inbound_path, other,
                  sb::proto::twilio_signature(
                      auth_token, std::string{"https://node-3.example.com"} + inbound_path, other))
          .status == 403);
  // Without a node URL, a signature over it is refused.
  test_server one;
  auto p1 = inbound_form("CAnodeurl3");
  BOOST_TEST(one.post_form(inbound_path, p1,
                           sb::proto::twilio_signature(auth_token, node_url + inbound_path, p1))
                 .status == 403);
}

BOOST_AUTO_TEST_CASE(rejects_a_signature_made_with_another_token) {
  test_server s;
  auto params = inbound_form("CAothertoken");
  auto sig =
      sb::proto::twilio_signature("other-token", std::string{public_url} + inbound_path, params);
  BOOST_TEST(s.post_form(inbound_path, params, sig).status == 403);
}

BOOST_AUTO_TEST_CASE(accepts_unsigned_webhooks_when_validation_is_off) {
  test_server s{[](sb::config& c) { c.twilio.validate_signatures = false; }};
  auto r = s.post_form(inbound_path, inbound_form("CAunsigned"), std::string{});
  BOOST_TEST(r.status == 200);
  auto root = twiml_of(r);
  BOOST_REQUIRE(!root.children.empty());
  BOOST_TEST(root.children[0].name == "Connect");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(recording_status)

sb::proto::form_params recording_form(const std::string& sid, const std::string& rec) {
  return {{"AccountSid", "ACtest"},    {"CallSid", sid},
          {"RecordingSid", rec},       {"RecordingUrl", "https://api.twilio.com/rec/" + rec},
          {"RecordingDuration", "42"}, {"RecordingStatus", "completed"}};
}

BOOST_AUTO_TEST_CASE(signed_recording_status_is_stored_on_a_stored_call) {
  test_server s;
  sb::storage::call_record past; // a call of this server that has ended
  past.call_sid = "CArec1";
  past.to = tenant_number;
  BOOST_TEST_REQUIRE(s.open_store()->begin_call(past).ok());
  auto r = s.post_form(recording_path, recording_form("CArec1", "RE1"));
  BOOST_TEST(r.status == 200);
  auto call = s.open_store()->get_call("CArec1");
  BOOST_REQUIRE(call.ok());
  BOOST_REQUIRE(call->has_value());
  BOOST_TEST((*call)->recording_url == "https://api.twilio.com/rec/RE1");
  BOOST_TEST((*call)->recording_duration_s == 42);
}

BOOST_AUTO_TEST_CASE(signed_recording_status_is_stored_on_a_live_call) {
  test_server s;
  BOOST_TEST(s.post_form(inbound_path, inbound_form("CArec3")).status == 200);
  BOOST_REQUIRE(eventually([&] { return s.srv().active_calls() == 1; }));
  auto r = s.post_form(recording_path, recording_form("CArec3", "RE3"));
  BOOST_TEST(r.status == 200);
  // The recording may be stored before the webhook's row (a bare row, which
  // begin_call's upsert then fills in: storage/store_calls.cpp), so wait for
  // both; a row that never gets the webhook's fields fails here.
  auto call = s.wait_for_call(
      "CArec3", [](const auto& c) { return !c.recording_url.empty() && !c.to.empty(); });
  BOOST_REQUIRE(call.has_value());
  BOOST_TEST(call->recording_url == "https://api.twilio.com/rec/RE3");
  BOOST_TEST(call->to == tenant_number); // the webhook's row, not a bare one
}

BOOST_AUTO_TEST_CASE(signed_recording_status_for_an_unknown_call_is_404_and_invents_no_call) {
  // Correctly signed, but no call of this server has that CallSid: refused,
  // and no phantom call row appears.
  test_server s;
  auto r = s.post_form(recording_path, recording_form("CAnever", "RE4"));
  BOOST_TEST(r.status == 404);
  auto db = s.open_store();
  auto call = db->get_call("CAnever");
  BOOST_REQUIRE(call.ok());
  BOOST_TEST(!call->has_value());
  auto calls = db->list_calls(0);
  BOOST_REQUIRE(calls.ok());
  BOOST_TEST(calls->empty());
}

BOOST_AUTO_TEST_CASE(unsigned_recording_status_is_refused_and_not_stored) {
  test_server s;
  sb::proto::form_params params{{"CallSid", "CArec2"},
                                {"RecordingUrl", "https://api.twilio.com/rec/RE2"},
                                {"RecordingDuration", "7"}};
  auto r = s.post_form(recording_path, params, std::string{});
  BOOST_TEST(r.status == 403);
  std::this_thread::sleep_for(200ms);
  auto call = s.open_store()->get_call("CArec2");
  BOOST_REQUIRE(call.ok());
  BOOST_TEST(!call->has_value());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(call_next)

constexpr const char* call_next_path = "/telephony/realtime-call-next";

BOOST_AUTO_TEST_CASE(a_call_nobody_sent_to_voicemail_hangs_up) {
  test_server s;
  auto r = s.post_form(call_next_path, {{"AccountSid", "ACtest"}, {"CallSid", "CAnext1"}});
  BOOST_TEST(r.status == 200);
  auto root = twiml_of(r);
  BOOST_TEST(names_of(root.children) == (std::vector<std::string>{"Hangup"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(the_voicemail_action_says_goodbye_and_hangs_up) {
  test_server s;
  auto r = s.post_form(std::string{call_next_path} + "?after=voicemail",
                       {{"CallSid", "CAnext2"}, {"RecordingUrl", "https://x/RE1"}});
  BOOST_TEST(r.status == 200);
  auto root = twiml_of(r);
  BOOST_TEST(names_of(root.children) == (std::vector<std::string>{"Say", "Hangup"}),
             boost::test_tools::per_element());
  BOOST_TEST(root.children[0].text == s.cfg().voicemail.goodbye);
}

BOOST_AUTO_TEST_CASE(an_unsigned_call_next_is_refused) {
  test_server s;
  auto r = s.post_form(call_next_path, {{"CallSid", "CAnext3"}}, std::string{});
  BOOST_TEST(r.status == 403);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(routing)

BOOST_AUTO_TEST_CASE(get_on_a_post_route_is_405_with_allow) {
  test_server s;
  for (const char* path : {inbound_path, recording_path}) {
    BOOST_TEST_INFO(path);
    auto r = s.get(path);
    BOOST_TEST(r.status == 405);
    BOOST_TEST(header_of(r, "Allow") == "POST");
  }
  sb::net::http_client_request post;
  post.url = s.base_url() + "/telephony/realtime-health";
  post.body = "{}";
  auto r = s.send(std::move(post));
  BOOST_TEST(r.status == 405);
  BOOST_TEST(header_of(r, "Allow") == "GET");
}

BOOST_AUTO_TEST_CASE(unknown_route_is_404) {
  test_server s;
  BOOST_TEST(s.get("/nope").status == 404);
  BOOST_TEST(s.get("/telephony/realtime-inbound-voice/extra").status == 404);
  BOOST_TEST(s.post_form("/telephony/other", inbound_form("CA404")).status == 404);
}

BOOST_AUTO_TEST_SUITE_END()
