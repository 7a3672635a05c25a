#include "protocol/twilio_rest.hpp"

#define BOOST_TEST_MODULE twilio_rest
#include <boost/test/unit_test.hpp>

// Twilio REST, the Calls resource (docs/protocols.md 6). Fixtures follow
// twilio-node src/rest/api/v2010/account/call.ts and the error JSON Twilio
// answers with (https://www.twilio.com/docs/errors/20404).

using namespace sb::proto;

namespace {

constexpr std::string_view account = "AC0123456789abcdef0123456789abcdef";
constexpr std::string_view call_sid = "CAfedcba9876543210fedcba9876543210";
constexpr std::string_view token = "s3cr3t-t0ken";

constexpr std::string_view not_found_body =
    R"({"code": 20404, "message": "The requested resource /2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Calls/CAfedcba9876543210fedcba9876543210.json was not found", "more_info": "https://www.twilio.com/docs/errors/20404", "status": 404})";

constexpr std::string_view call_body =
    R"({"account_sid": "AC0123456789abcdef0123456789abcdef", "api_version": "2010-04-01",)"
    R"( "direction": "inbound", "from": "+15550001111", "parent_call_sid": null,)"
    R"( "sid": "CAfedcba9876543210fedcba9876543210", "status": "in-progress",)"
    R"( "to": "+15551230000", "uri": "/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Calls/CAfedcba9876543210fedcba9876543210.json"})";

} // namespace

BOOST_AUTO_TEST_CASE(an_update_with_twiml_posts_the_form_to_the_calls_path_with_basic_auth) {
  call_update u;
  u.twiml = "<Response><Say>Hi &amp; bye</Say></Response>";
  auto r = build_call_update("https://api.twilio.com/", account, token, call_sid, u);
  BOOST_TEST(r.method == "POST");
  BOOST_TEST(r.path == "/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Calls/"
                       "CAfedcba9876543210fedcba9876543210.json");
  BOOST_TEST(r.url == "https://api.twilio.com" + r.path);
  BOOST_TEST(r.content_type == "application/x-www-form-urlencoded");
  BOOST_TEST(r.authorization ==
             "Basic QUMwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZjpzM2NyM3QtdDBrZW4=");
  BOOST_TEST(r.body == "Twiml=%3CResponse%3E%3CSay%3EHi%20%26amp%3B%20bye%3C%2FSay%3E%3C%2F"
                       "Response%3E");
  BOOST_REQUIRE_EQUAL(r.params.size(), 1u);
  BOOST_TEST(r.params[0].first == "Twiml");
}

BOOST_AUTO_TEST_CASE(a_redirect_sends_url_and_method_and_a_hang_up_sends_status) {
  call_update redirect;
  redirect.url = "https://sb.example/next?a=1";
  redirect.method = "POST";
  auto r = build_call_update("http://127.0.0.1:5000", account, token, call_sid, redirect);
  BOOST_TEST(r.body == "Url=https%3A%2F%2Fsb.example%2Fnext%3Fa%3D1&Method=POST");
  call_update hang_up;
  hang_up.status = "completed";
  BOOST_TEST(build_call_update("http://x", account, token, call_sid, hang_up).body ==
             "Status=completed");
}

BOOST_AUTO_TEST_CASE(basic_authorization_round_trips_and_refuses_malformed_headers) {
  auto parsed = parse_basic_authorization(basic_authorization(account, "to:ken"));
  BOOST_REQUIRE(parsed.has_value());
  BOOST_TEST(parsed->first == account);
  BOOST_TEST(parsed->second == "to:ken"); // only the first ':' separates
  BOOST_TEST(!parse_basic_authorization("").has_value());
  BOOST_TEST(!parse_basic_authorization("Bearer abc").has_value());
  BOOST_TEST(!parse_basic_authorization("Basic !!!").has_value());
  BOOST_TEST(!parse_basic_authorization("Basic " + std::string("bm9jb2xvbg==")).has_value());
}

BOOST_AUTO_TEST_CASE(a_2xx_answer_is_the_call_resource) {
  auto r = parse_call_answer(200, call_body);
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r.call().sid == call_sid);
  BOOST_TEST(r.call().account_sid == account);
  BOOST_TEST(r.call().status == "in-progress");
  BOOST_TEST(r.call().from == "+15550001111");
  BOOST_TEST(r.call().to == "+15551230000");
  BOOST_TEST(r.call().direction == "inbound");
}

BOOST_AUTO_TEST_CASE(twilios_error_json_becomes_a_typed_api_error) {
  auto r = parse_call_answer(404, not_found_body);
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST((r.error().kind == rest_error_kind::api));
  BOOST_TEST(r.error().http_status == 404);
  BOOST_TEST(r.error().code == twilio_code::not_found);
  BOOST_TEST(r.error().message.find("was not found") != std::string::npos);
  BOOST_TEST(r.error().more_info == "https://www.twilio.com/docs/errors/20404");
  BOOST_TEST(r.error().describe().rfind("HTTP 404, Twilio error 20404: The requested", 0) == 0u);

  auto auth = parse_call_answer(401, rest_error_json(20003, "Authenticate", 401));
  BOOST_TEST(auth.error().code == twilio_code::authenticate);
  BOOST_TEST(auth.error().message == "Authenticate");
  auto ended = parse_call_answer(400, rest_error_json(21220, "Call is not in-progress", 400));
  BOOST_TEST(ended.error().code == twilio_code::call_not_in_progress);
}

BOOST_AUTO_TEST_CASE(answers_that_are_not_twilios_are_http_or_malformed_errors) {
  auto proxy = parse_call_answer(502, "<html>Bad Gateway</html>");
  BOOST_TEST((proxy.error().kind == rest_error_kind::http));
  BOOST_TEST(proxy.error().code == 0);
  BOOST_TEST(proxy.error().describe() == "HTTP 502: <html>Bad Gateway</html>");
  auto odd = parse_call_answer(200, R"({"status":"in-progress"})");
  BOOST_TEST((odd.error().kind == rest_error_kind::malformed));
  BOOST_TEST((parse_call_answer(200, "not json").error().kind == rest_error_kind::malformed));
  BOOST_TEST((parse_call_answer(500, R"({"code":"x"})").error().kind == rest_error_kind::http));
  auto down = connection_failure("connect: Connection refused");
  BOOST_TEST((down.error().kind == rest_error_kind::connection));
  BOOST_TEST(down.error().describe() == "no answer: connect: Connection refused");
}

BOOST_AUTO_TEST_CASE(the_service_side_writes_what_the_client_reads) {
  BOOST_TEST(rest_error_json(20404, "The requested resource /x was not found", 404) ==
             R"({"code":20404,"message":"The requested resource /x was not found",)"
             R"("more_info":"https://www.twilio.com/docs/errors/20404","status":404})");
  twilio_call c{std::string(call_sid), std::string(account), "completed", "+1", "+2", "inbound"};
  auto back = parse_call_answer(200, call_json(c));
  BOOST_REQUIRE(back.ok());
  BOOST_TEST(back.call().status == "completed");
  BOOST_TEST(call_json(c).find(R"("uri":"/2010-04-01/Accounts/)") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_calls_path_is_parsed_strictly) {
  auto p = parse_call_path(call_path(account, call_sid));
  BOOST_REQUIRE(p.has_value());
  BOOST_TEST(p->first == account);
  BOOST_TEST(p->second == call_sid);
  BOOST_TEST(!parse_call_path("/2010-04-01/Accounts/AC1/Calls/CA1").has_value());
  BOOST_TEST(!parse_call_path("/2010-04-01/Accounts/AC1/Calls.json").has_value());
  BOOST_TEST(!parse_call_path("/2010-04-01/Accounts/AC1/Calls/../x.json").has_value());
  BOOST_TEST(!parse_call_path("/2010-04-01/Accounts/AC1/Recordings/RE1.json").has_value());
  BOOST_TEST(!parse_call_path("/v1/Accounts/AC1/Calls/CA1.json").has_value());
}
