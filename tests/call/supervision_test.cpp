// Issue 18, supervision: one call's actor crashes (a fault injected through
// the test-only __test_crash tool, receptionist/test_fault.hpp) while nine
// other calls go on untouched and end with their job cards, transcripts and
// every byte of their audio.
//   - its tool actor dies with a function call pending: the model hears an
//     error output for it, speaks, and the call ends normally; the tool
//     actor that takes over carries on from the booking so far;
//   - its supervisor dies: the children die with it (both sockets close),
//     and the registry finalizes the call once from the database.
#include "tests/call/call_fixture.hpp"

#define BOOST_TEST_MODULE e2e_supervision
#include <boost/test/unit_test.hpp>

#include <rapidjson/document.h>

#include <array>
#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <thread>

using namespace sb;
using namespace sb::test;

namespace {

constexpr int others = 9;
const std::string crashed_number = "+15553009999";
constexpr int64_t frame_bytes = 160; ///< 20 ms of 8 kHz mu-law

std::string number_of(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "+1555300%04d", i);
  return buf;
}

sim::scripted_function_call crash(const std::string& target) {
  return {"__test_crash", R"({"target":")" + target + R"("})"};
}

/// The nine short booking calls, then `crashed` (started last, so that the
/// others are mid-call when it crashes).
struct ten_calls {
  std::vector<sim::call_script> scripts;
  std::map<std::string, std::string> name_of; ///< caller number -> customer
};

ten_calls with_crashed(sim::call_script crashed) {
  ten_calls t;
  for (int i = 1; i <= others; ++i) {
    auto n = number_of(i);
    t.name_of[n] = "Customer " + std::to_string(i);
    t.scripts.push_back(
        short_booking_script(n, t.name_of[n], std::to_string(i) + " Sturdy Street", "one_moment"));
  }
  t.scripts.push_back(std::move(crashed));
  return t;
}

e2e_options faults_on(const std::vector<sim::call_script>& scripts) {
  return {.scripts = scripts, .tune = [](config& c) {
            c.server.io_threads = 2;
            c.debug.test_faults = true; // what SWITCHBOARD_TEST_FAULTS=1 sets
          }};
}

/// Every payload byte each caller sent on its stream (speech and silence),
/// in the order of the scripts.
using sent_counts = std::array<std::atomic<int64_t>, others + 1>;

/// Runs the ten calls at once, each caller counting what it sends.
std::vector<sim::caller_result> call_all(e2e_env& env, const ten_calls& t,
                                         const std::shared_ptr<sent_counts>& sent) {
  std::vector<sim::caller_options> callers;
  for (std::size_t i = 0; i < t.scripts.size(); ++i) {
    auto o = env.caller_for(t.scripts[i]);
    o.on_audio_sent = [sent, i](int64_t, std::string_view bytes, int64_t) {
      (*sent)[i] += static_cast<int64_t>(bytes.size());
    };
    callers.push_back(std::move(o));
  }
  return env.call_all(std::move(callers), 50ms, 60s);
}

/// Each of the nine ended as usual, with its own job card and transcript,
/// and its audio went through whole both ways.
void check_untouched(e2e_env& env, const ten_calls& t,
                     const std::vector<sim::caller_result>& results, const sent_counts& sent) {
  auto stats = env.peer().stats();
  for (int i = 0; i < others; ++i) {
    const auto& r = results[static_cast<std::size_t>(i)];
    BOOST_TEST_INFO("call " << i + 1 << " (" << r.call_sid << "): " << r.error);
    BOOST_TEST(r.ok);
    auto call = env.call_record(r.call_sid);
    BOOST_REQUIRE(call.has_value());
    BOOST_TEST(call->end_reason == sb::end_reason::assistant_hangup);
    BOOST_TEST(call->status == sb::call_status::completed);
    auto job = env.job(r.call_sid);
    BOOST_REQUIRE(job.has_value());
    BOOST_TEST(job->status == "new");
    BOOST_TEST(job->details.customer_name == t.name_of.at(call->from));
    BOOST_TEST(env.turns(r.call_sid).size() == 3u); // greeting, the caller, the goodbye
    // Every byte of the assistant's audio reached this caller, and every
    // byte the caller sent reached the peer but for at most the frames in
    // flight as the server closed the stream (a closing WebSocket reads no
    // more data frames).
    const auto& number = call->from;
    const int64_t up = sent[static_cast<std::size_t>(i)];
    BOOST_TEST(r.bytes_received > 0);
    BOOST_TEST(r.bytes_received == stats.audio_sent_by_caller[number]);
    BOOST_TEST(stats.audio_received_by_caller[number] > 0);
    BOOST_TEST(stats.audio_received_by_caller[number] <= up);
#ifndef SB_TSAN
    // A real-time bound, like e2e_audio_order_test's: under TSan ten calls
    // slowed 5-15x ran 2-2.5 s behind their callers when the stream closed
    // (121,760 - 101,120 bytes on 2 cores beside a build), so only the
    // bounds above are checked there.
    BOOST_TEST(up - stats.audio_received_by_caller[number] <= 3 * frame_bytes);
#endif
  }
}

/// Every call's push arrives, each exactly once (nothing finalized twice).
void check_pushed_once(e2e_env& env, const std::vector<sim::caller_result>& results) {
  BOOST_TEST(env.wait_for_pushes(results.size(), 30'000ms));
  std::this_thread::sleep_for(500ms); // a second push of any call would arrive by now
  std::multiset<std::string> pushed;
  for (const auto& p : env.pushes()) {
    rapidjson::Document d;
    d.Parse(p.c_str());
    BOOST_REQUIRE(d.IsObject());
    pushed.insert(d["callSid"].GetString());
  }
  BOOST_TEST(pushed.size() == results.size());
  for (const auto& r : results)
    BOOST_TEST(pushed.count(r.call_sid) == 1u,
               r.call_sid << " pushed " << pushed.count(r.call_sid));
  BOOST_TEST(env.outbox().size() == results.size());
}

/// The Realtime peer saw the bridge close `caller`'s connection (bounded wait).
bool peer_saw_close(e2e_env& env, const std::string& caller) {
  for (int i = 0; i < 100; ++i) {
    if (env.peer().stats().closed_by_client[caller] == 1)
      return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

/// function_call_output items the bridge sent whose output contains `text`.
int outputs_containing(const std::vector<std::string>& frames, const std::string& text) {
  int n = 0;
  for (const auto& f : frames) {
    rapidjson::Document d;
    d.Parse(f.c_str());
    if (!d.IsObject() || !d.HasMember("item") || !d["item"].IsObject())
      continue;
    const auto& item = d["item"];
    if (item.HasMember("type") && std::string{item["type"].GetString()} == "function_call_output" &&
        item.HasMember("output") &&
        std::string{item["output"].GetString()}.find(text) != std::string::npos)
      ++n;
  }
  return n;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_lost_tool_actor_answers_its_pending_call_with_an_error) {
  // The model records half the booking, the tool actor dies running
  // __test_crash, then the model records the other half.
  sim::call_script crashed = short_booking_script(crashed_number, "Terry Tool", "9 Crash Court");
  crashed.turns[0].calls = {
      {"record_booking_details", R"({"customer_name":"Terry Tool","address":"9 Crash Court",)"
                                 R"("service":"Leaking kitchen sink","callback_phone":")" +
                                     crashed_number + R"("})"},
      crash("tool_call"),
      {"record_booking_details",
       R"({"preferred_date":"2030-01-02","preferred_time":"10:00","urgency":"urgent"})"}};
  auto t = with_crashed(crashed);
  e2e_env env(faults_on(t.scripts));
  auto sent = std::make_shared<sent_counts>();
  auto results = call_all(env, t, sent);
  BOOST_REQUIRE(env.wait_for_no_calls(30'000ms));
  check_untouched(env, t, results, *sent);

  // The crashed call's model heard an error for the lost call, spoke again,
  // and the call went on: the booking (by the respawned tool actor) and the
  // goodbye, as any other call.
  const auto& r = results.back();
  BOOST_TEST_INFO("crashed call " << r.call_sid << ": " << r.error);
  BOOST_TEST(r.ok);
  BOOST_TEST(outputs_containing(env.peer().client_events(), "the tool failed") == 1);
  auto call = env.call_record(r.call_sid);
  BOOST_REQUIRE(call.has_value());
  BOOST_TEST(call->end_reason == sb::end_reason::assistant_hangup);
  auto job = env.job(r.call_sid);
  BOOST_REQUIRE(job.has_value());
  BOOST_TEST(job->status == "new"); // complete: both halves
  BOOST_TEST(job->details.customer_name == "Terry Tool");
  BOOST_TEST(job->details.address == "9 Crash Court");
  BOOST_TEST(job->details.preferred_time == "10:00");
  check_pushed_once(env, results);
}

BOOST_AUTO_TEST_CASE(a_dead_supervisor_closes_its_sockets_and_is_finalized_once) {
  // The booking is recorded, then the supervisor dies before the goodbye.
  sim::call_script crashed = short_booking_script(crashed_number, "Sue Super", "8 Fallen Road");
  crashed.turns[0].calls.push_back(crash("supervisor"));
  auto t = with_crashed(crashed);
  e2e_env env(faults_on(t.scripts));
  auto sent = std::make_shared<sent_counts>();
  auto results = call_all(env, t, sent);
  BOOST_REQUIRE(env.wait_for_no_calls(30'000ms));
  check_untouched(env, t, results, *sent);

  // Both of its sockets closed: the caller's stream ended, and the Realtime
  // peer saw the bridge close the connection.
  const auto& r = results.back();
  BOOST_TEST_MESSAGE("crashed call's caller: " << (r.ok ? "ok" : r.error));
  BOOST_TEST(r.server_hung_up);
  BOOST_TEST(peer_saw_close(env, crashed_number));

  // Finalized from the database: the call row, the job card with the
  // booking recorded before the crash, the transcript so far.
  auto call = env.call_record(r.call_sid);
  BOOST_REQUIRE(call.has_value());
  BOOST_TEST(call->end_reason == sb::end_reason::internal_error);
  BOOST_TEST(call->end_detail.find("call supervisor failed") != std::string::npos,
             call->end_detail);
  BOOST_TEST(call->status == sb::call_status::failed);
  BOOST_TEST(call->from == crashed_number);
  BOOST_TEST(call->answered_at_ms != 0);
  auto job = env.job(r.call_sid);
  BOOST_REQUIRE(job.has_value());
  BOOST_TEST(job->details.customer_name == "Sue Super");
  BOOST_TEST(job->details.address == "8 Fallen Road");
  BOOST_TEST(env.turns(r.call_sid).size() >= 2u); // the greeting and the caller
  check_pushed_once(env, results);
}
