// Issue 3, a slow tool: while check_availability runs (2 s here), the
// caller is not left in silence: after tools.ack_after the bridge asks the
// model for a short spoken acknowledgement, then the answer follows. And a
// tool slower than tools.timeout: the model hears the timeout output, once,
// and the call carries on.
#include "tests/call/call_fixture.hpp"

#define BOOST_TEST_MODULE e2e_slow_tool
#include <boost/test/unit_test.hpp>

#include <rapidjson/document.h>

#include <set>

using namespace sb;
using namespace sb::test;

namespace {

constexpr auto tool_delay = 2000ms;
const std::string one_moment = "One moment while I check that for you.";

struct parsed {
  std::string type, item_type, call_id, output, instructions;
};

parsed parse(const std::string& frame) {
  parsed p;
  rapidjson::Document d;
  d.Parse(frame.c_str(), frame.size());
  if (d.HasParseError() || !d.IsObject())
    return p;
  auto str = [](const rapidjson::Value& o, const char* k) {
    return o.IsObject() && o.HasMember(k) && o[k].IsString() ? std::string{o[k].GetString()}
                                                             : std::string{};
  };
  p.type = str(d, "type");
  if (d.HasMember("item")) {
    p.item_type = str(d["item"], "type");
    p.call_id = str(d["item"], "call_id");
    p.output = str(d["item"], "output");
  }
  if (d.HasMember("response"))
    p.instructions = str(d["response"], "instructions");
  return p;
}

/// The caller asks for a slot; the model checks it, then records the booking.
sim::call_script check_then_book(const std::string& caller, const std::string& customer) {
  sim::call_script script;
  script.caller_number = caller;
  script.greeting_clip = "one_moment";
  script.turns.push_back(
      make_turn("Tomorrow at ten in the morning, if possible.", "caller_3",
                {{"check_availability", R"({"date":"2030-01-02","time":"10:00"})"},
                 full_booking(customer, "7 Waiting Way", script.caller_number)},
                "Tomorrow at ten works. You are booked, and we will call you back at this number.",
                "reply_3"));
  return script;
}

} // namespace

BOOST_AUTO_TEST_CASE(slow_tool_gets_spoken_acknowledgement) {
  auto script = check_then_book("+15557650007", "Stella Slow");
  e2e_env env({.scripts = {script}, .tune = [](config& c) {
                 c.tools.check_availability_delay = tool_delay;
                 c.tools.ack_after = 900ms;
               }});
  auto r = env.call(script);
  BOOST_TEST_INFO("caller error: " << r.error);
  BOOST_TEST(r.ok);
  BOOST_REQUIRE(env.wait_for_no_calls());

  // No dead air: the caller heard the assistant again well before the tool
  // could have answered.
  BOOST_REQUIRE(!r.reply_gap_ms.empty());
  BOOST_TEST_MESSAGE("caller stopped -> first assistant audio: " << r.reply_gap_ms[0] << " ms");
  BOOST_TEST_INFO("caller stopped -> first audio: " << r.reply_gap_ms[0] << " ms");
  BOOST_TEST(r.reply_gap_ms[0] < tool_delay.count());

  // On the wire: a response.create with instructions (the acknowledgement),
  // after the greeting's and before check_availability's output.
  auto events = env.peer().client_events();
  std::ptrdiff_t greeting = -1, ack = -1, first_output = -1;
  int acks = 0;
  for (std::size_t i = 0; i < events.size(); ++i) {
    auto p = parse(events[i]);
    auto at = static_cast<std::ptrdiff_t>(i);
    if (p.type == "response.create" && p.instructions.find(tenant_greeting) != std::string::npos)
      greeting = at;
    else if (p.type == "response.create" && !p.instructions.empty() &&
             p.instructions.find("call has ended") == std::string::npos) { // not the analysis
      ++acks;
      if (ack < 0)
        ack = at;
    } else if (p.type == "conversation.item.create" && p.item_type == "function_call_output" &&
               first_output < 0)
      first_output = at;
  }
  BOOST_TEST(greeting >= 0);
  BOOST_TEST(acks == 1);
  BOOST_TEST(ack > greeting);
  BOOST_TEST(first_output > ack);
  BOOST_TEST(env.peer().stats().errors_sent == 0);

  // The acknowledgement is an assistant turn between the question and the answer.
  auto turns = env.turns(r.call_sid);
  auto said = std::find_if(turns.begin(), turns.end(),
                           [](const auto& t) { return t.role == sb::speaker::caller; });
  auto ack_turn = std::find_if(turns.begin(), turns.end(), [](const auto& t) {
    return t.role == sb::speaker::assistant && t.text == one_moment;
  });
  auto answer = std::find_if(turns.begin(), turns.end(),
                             [&](const auto& t) { return t.text == script.turns[0].reply_text; });
  BOOST_REQUIRE(said != turns.end());
  BOOST_REQUIRE(ack_turn != turns.end());
  BOOST_REQUIRE(answer != turns.end());
  BOOST_TEST((said < ack_turn));
  BOOST_TEST((ack_turn < answer));

  // And the call completes with its booking.
  auto call = env.call_record(r.call_sid);
  BOOST_REQUIRE(call.has_value());
  BOOST_TEST(call->end_reason == sb::end_reason::assistant_hangup);
  auto job = env.job(r.call_sid);
  BOOST_REQUIRE(job.has_value());
  BOOST_TEST(job->status == "new");
  BOOST_TEST(job->details.customer_name == "Stella Slow");
  BOOST_TEST(first_invalid_client_event(events) == "");
}

BOOST_AUTO_TEST_CASE(a_tool_slower_than_the_timeout_answers_the_timeout_output_once) {
  // check_availability takes 1.5 s; tools.timeout is 0.4 s. The model gets
  // {"ok":false,"error":"the tool timed out"} for it, once, and goes on
  // (records the booking, replies, hangs up).
  auto script = check_then_book("+15557650008", "Tim Timeout");
  e2e_env env({.scripts = {script}, .tune = [](config& c) {
                 c.tools.check_availability_delay = 1500ms;
                 c.tools.timeout = 400ms;
                 c.tools.ack_after = 10'000ms; // no acknowledgement in this test
               }});
  auto r = env.call(script);
  BOOST_TEST_INFO("caller error: " << r.error);
  BOOST_TEST(r.ok);
  BOOST_REQUIRE(env.wait_for_no_calls());

  auto events = env.peer().client_events();
  std::vector<parsed> outputs;
  for (const auto& e : events) {
    auto p = parse(e);
    if (p.type == "conversation.item.create" && p.item_type == "function_call_output")
      outputs.push_back(p);
  }
  // One output per function call (check_availability, record_booking_details,
  // end_call), the first the timeout's.
  BOOST_REQUIRE(outputs.size() == 3u);
  std::set<std::string> ids;
  for (const auto& o : outputs)
    ids.insert(o.call_id);
  BOOST_TEST(ids.size() == outputs.size());
  BOOST_TEST(outputs[0].output == R"({"ok":false,"error":"the tool timed out"})");
  for (std::size_t i = 1; i < outputs.size(); ++i)
    BOOST_TEST(outputs[i].output.find("timed out") == std::string::npos, outputs[i].output);

  auto call = env.call_record(r.call_sid);
  BOOST_REQUIRE(call.has_value());
  BOOST_TEST(call->end_reason == sb::end_reason::assistant_hangup);
  auto job = env.job(r.call_sid);
  BOOST_REQUIRE(job.has_value());
  BOOST_TEST(job->details.customer_name == "Tim Timeout");
  BOOST_TEST(env.peer().stats().errors_sent == 0);
  BOOST_TEST(first_invalid_client_event(events) == "");
}
