// A killed server loses no job card (issue 14): the real `switchboard serve`
// as a child process on a SQLite file, callers in conversation with it,
// SIGKILL mid-call; started again on the same database it finalizes every
// call it left open (server_lost) with the booking details given before the
// kill, and the business gets each push once; a second restart finalizes
// nothing again. Callers who follow the <Redirect> (as Twilio does) are
// picked up again after the restart and carry on (issue 14.3).
#define BOOST_TEST_MODULE e2e_crash
#include <boost/test/unit_test.hpp>

#include "bench/server_process.hpp"
#include "tests/call/call_fixture.hpp"

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <future>
#include <map>
#include <thread>

using namespace sb;
using namespace sb::test;

namespace {

/// full_booking at a time of the caller's own: a slot takes one booking (the
/// tenant's slot capacity, issue 17.6), and these callers book at once.
sim::scripted_function_call booking_of(const std::string& customer, const std::string& number) {
  auto call = full_booking(customer, "7 Crash Road", number);
  const std::string ten = "\"10:00\"";
  auto at = call.arguments_json.find(ten);
  BOOST_REQUIRE(at != std::string::npos);
  static int next = 0;
  char time[8];
  std::snprintf(time, sizeof time, "%02d:00", 8 + next++ % 10); // 08:00, 09:00, ...
  call.arguments_json.replace(at + 1, 5, time);
  return call;
}

/// A booking call long enough to be killed in: the details are recorded on
/// the first turn, three more turns follow.
sim::call_script long_booking(const std::string& number, const std::string& customer) {
  sim::call_script s;
  s.caller_number = number;
  s.greeting_clip = "one_moment";
  s.turns.push_back(make_turn("Hi, my kitchen sink is leaking under the cabinet.", "caller_1",
                              {booking_of(customer, number)},
                              "I'm sorry to hear that. Can I get your name and the address?",
                              "reply_1"));
  s.turns.push_back(make_turn("Sure, I'm Jane Doe, at 42 Elm Street, Springfield.", "caller_2", {},
                              "Thanks, Jane. When would you like us to come?", "reply_2"));
  s.turns.push_back(make_turn("Tomorrow at ten in the morning, if possible.", "caller_3", {},
                              "Tomorrow at ten works.", "reply_3"));
  s.turns.push_back(
      make_turn("Great, thank you. Bye.", "caller_4", {}, "You're welcome. Goodbye!", "reply_4"));
  return s;
}

/// The fixture's business, peer and push endpoint, with `switchboard serve`
/// run as a child process on the fixture's database (config file + secrets
/// in the environment, as an operator runs it).
struct crash_env {
  std::vector<sim::call_script> scripts;
  e2e_env env{[this] {
    e2e_options o;
    o.scripts = scripts;
    o.start_server = false;
    return o;
  }()};
  std::string dir = env.db_path().substr(0, env.db_path().rfind('/'));
  uint16_t port = bench::free_port();
  int starts = 0;

  /// `grace_ms`: how long a call left open waits for its caller ([resume]).
  crash_env(std::vector<sim::call_script> s, int grace_ms) : scripts(std::move(s)) {
    const auto& c = env.server_config();
    std::ofstream f{dir + "/config.toml"};
    f << "[server]\nbind_address = \"127.0.0.1\"\nport = " << port << "\npublic_url = \""
      << c.server.public_url << "\"\nshutdown_grace_ms = 1000\nnode_id = \"crash-node\"\n"
      << "[openai]\nrealtime_url = \"" << c.openai.realtime_url << "\"\nca_file = \""
      << c.openai.ca_file << "\"\n[storage]\npath = \"" << c.storage.path << "\"\n"
      << "[notifier]\npoll_interval_ms = 200\ninitial_backoff_ms = 200\n"
      << "[resume]\ngrace_ms = " << grace_ms << "\n";
    env.set_server_url("http://127.0.0.1:" + std::to_string(port));
  }

  /// Starts the server; its log is stderr-<n>.log in the temp dir.
  bench::server_process start() {
    const auto& c = env.server_config();
    bench::env_list vars{{"TWILIO_AUTH_TOKEN", c.twilio.auth_token},
                         {"TWILIO_ACCOUNT_SID", c.twilio.account_sid},
                         {"OPENAI_API_KEY", c.openai.api_key},
                         {"SWITCHBOARD_LOG_LEVEL", "info"}};
    auto p = bench::server_process::start(SB_SWITCHBOARD_BIN, dir + "/config.toml", vars, port,
                                          log_path(++starts));
    if (!p)
      BOOST_FAIL(p.err().message);
    return std::move(*p);
  }

  std::string log_path(int n) const { return dir + "/server-" + std::to_string(n) + ".log"; }

  std::string log(int n) const {
    std::ifstream in{log_path(n)};
    return {std::istreambuf_iterator<char>(in), {}};
  }
};

/// How often the cases below poll the database (eventually's `every`).
constexpr auto db_poll = 100ms;

} // namespace

BOOST_AUTO_TEST_CASE(a_killed_server_finalizes_its_calls_at_the_next_start_once) {
  // These callers do not follow the <Redirect>: their calls are held a
  // short grace (actors/call_resume.hpp), then finalized.
  crash_env e{{long_booking("+15550001001", "Ann Alder"), long_booking("+15550001002", "Ben Birch"),
               long_booking("+15550001003", "Cy Cedar")},
              300};
  const auto& scripts = e.scripts;
  auto server = e.start();

  // -- three calls, killed once each has had its booking recorded and the
  //    reply after it (greeting, caller, reply: three turns stored) --
  std::vector<std::future<sim::caller_result>> callers;
  for (const auto& s : scripts) {
    auto done = std::make_shared<std::promise<sim::caller_result>>();
    callers.push_back(done->get_future());
    sim::run_caller(e.env.io(), e.env.caller_for(s),
                    [done](sim::caller_result r) { done->set_value(std::move(r)); });
  }
  bool talking = eventually(
      [&] {
        auto calls = e.env.calls();
        int ready = 0;
        for (const auto& c : calls)
          ready += e.env.turns(c.call_sid).size() >= 3;
        return calls.size() == scripts.size() && ready == static_cast<int>(scripts.size());
      },
      60s, db_poll);
  BOOST_REQUIRE_MESSAGE(talking, "the calls did not get past their first turn");
  ::kill(server.pid(), SIGKILL);
  for (auto& f : callers) // each caller hears its line drop (its Redirect finds nobody)
    BOOST_REQUIRE(f.wait_for(30s) == std::future_status::ready);
  for (const auto& c : e.env.calls()) {
    BOOST_TEST(c.end_reason == end_reason::none); // left open by the kill
    BOOST_TEST(c.status == call_status::in_progress);
    BOOST_TEST(c.node_id == "crash-node");
  }
  BOOST_TEST(e.env.pushes().empty());

  // -- started again on the same database: every call finalized, once --
  server = e.start();
  bool finalized = eventually(
      [&] {
        for (const auto& c : e.env.calls())
          if (c.end_reason == end_reason::none)
            return false;
        return true;
      },
      20s, db_poll);
  BOOST_REQUIRE_MESSAGE(finalized, "the calls left open were not finalized");
  BOOST_REQUIRE(e.env.wait_for_pushes(scripts.size(), 20s));
  std::map<std::string, int64_t> job_ids;
  for (const auto& s : scripts) {
    auto calls = e.env.calls();
    auto it = std::find_if(calls.begin(), calls.end(),
                           [&](const auto& c) { return c.from == s.caller_number; });
    BOOST_REQUIRE(it != calls.end());
    BOOST_TEST(it->end_reason == end_reason::server_lost);
    BOOST_TEST(it->status == call_status::failed);
    BOOST_TEST(it->ended_at_ms >= it->answered_at_ms);
    auto job = e.env.job(it->call_sid);
    BOOST_REQUIRE(job);
    for (const auto& [field, value] : expected_booking(s))
      BOOST_TEST(booking_field(job->details, field) == value, field);
    job_ids[it->call_sid] = job->id;
  }

  // -- a second restart finalizes nothing twice --
  BOOST_TEST(server.stop() == 0);
  server = e.start();
  std::this_thread::sleep_for(2s); // ten notifier polls, and the recovery's look-up
  BOOST_TEST(e.env.pushes().size() == scripts.size());
  BOOST_TEST(e.env.outbox().size() == scripts.size());
  for (const auto& [sid, id] : job_ids)
    BOOST_TEST(e.env.job(sid)->id == id);
  BOOST_TEST(e.log(2).find("calls open when it last stopped") != std::string::npos);
  BOOST_TEST(e.log(3).find("calls open when it last stopped") == std::string::npos);
  BOOST_TEST(e.log(3).find("was left open") == std::string::npos);
  std::map<std::string, int> pushes_per_call;
  for (const auto& body : e.env.pushes())
    for (const auto& [sid, id] : job_ids)
      pushes_per_call[sid] += body.find(sid) != std::string::npos;
  for (const auto& [sid, id] : job_ids)
    BOOST_TEST(pushes_per_call[sid] == 1, sid);
}

namespace {

/// Kills the server once every call has `turns` turns stored.
bool wait_for_turns(crash_env& e, std::size_t calls, std::size_t turns) {
  return eventually(
      [&] {
        auto all = e.env.calls();
        std::size_t ready = 0;
        for (const auto& c : all)
          ready += e.env.turns(c.call_sid).size() >= turns;
        return all.size() == calls && ready == calls;
      },
      60s, db_poll);
}

} // namespace

BOOST_AUTO_TEST_CASE(a_killed_server_picks_its_callers_up_again_after_a_restart) {
  crash_env e{
      {long_booking("+15550002001", "Dee Dogwood"), long_booking("+15550002002", "Eve Elm")},
      20'000};
  const auto& scripts = e.scripts;
  auto server = e.start();
  std::vector<std::future<sim::caller_result>> callers;
  for (const auto& s : scripts) {
    auto opts = e.env.caller_for(s);
    opts.follow_resume = true;    // Twilio runs the <Redirect> once the stream is gone
    opts.redirect_retry_ms = 100; // and retries it while the server is down
    auto done = std::make_shared<std::promise<sim::caller_result>>();
    callers.push_back(done->get_future());
    sim::run_caller(e.env.io(), std::move(opts),
                    [done](sim::caller_result r) { done->set_value(std::move(r)); });
  }
  BOOST_REQUIRE_MESSAGE(wait_for_turns(e, scripts.size(), 3),
                        "the calls did not get past their first turn");
  ::kill(server.pid(), SIGKILL);
  server = e.start(); // at once: the restart delay of systemd is not simulated
  for (auto& f : callers)
    BOOST_REQUIRE(f.wait_for(90s) == std::future_status::ready);
  BOOST_REQUIRE(eventually(
      [&] {
        for (const auto& c : e.env.calls())
          if (c.end_reason == end_reason::none)
            return false;
        return true;
      },
      30s, db_poll));
  BOOST_REQUIRE(e.env.wait_for_pushes(scripts.size(), 20s));
  for (auto& f : callers) {
    auto r = f.get();
    BOOST_TEST_INFO("caller error: " << r.error);
    BOOST_TEST(r.ok);
    BOOST_TEST(r.streams == 2);
    BOOST_REQUIRE(r.resume_gap_ms.size() == 1u);
    BOOST_TEST_MESSAGE("silent gap across SIGKILL and restart: " << r.resume_gap_ms[0] << " ms");
    auto call = e.env.call_record(r.call_sid);
    BOOST_REQUIRE(call.has_value());
    BOOST_TEST(call->resumes == 1);
    BOOST_TEST(call->end_reason == end_reason::assistant_hangup); // the script ends with goodbye
    auto job = e.env.job(r.call_sid);
    BOOST_REQUIRE(job.has_value());
    BOOST_TEST(job->resumes == 1);
    auto script = std::find_if(scripts.begin(), scripts.end(),
                               [&](const auto& s) { return s.caller_number == call->from; });
    BOOST_REQUIRE(script != scripts.end());
    for (const auto& [field, value] : expected_booking(*script))
      BOOST_TEST(booking_field(job->details, field) == value, field);
    // the assistant remembers the caller's name
    auto turns = e.env.turns(r.call_sid);
    BOOST_TEST(std::any_of(turns.begin(), turns.end(), [&](const auto& t) {
      return t.role == speaker::assistant && t.text.find("cut off") != std::string::npos &&
             t.text.find(job->details.customer_name) != std::string::npos;
    }));
  }
  BOOST_TEST(e.env.calls().size() == scripts.size()); // one row per call
  std::this_thread::sleep_for(1s);                    // five notifier polls: no second push
  BOOST_TEST(e.env.pushes().size() == scripts.size());
  BOOST_TEST(e.env.outbox().size() == scripts.size());
  BOOST_TEST(e.log(2).find("picked up again") != std::string::npos);
}

namespace {

/// The index of the first assistant turn saying the call was cut off at or
/// after `from`, or -1.
int cut_off_turn(const std::vector<storage::transcript_turn>& turns, std::size_t from) {
  for (std::size_t i = from; i < turns.size(); ++i)
    if (turns[i].role == speaker::assistant && turns[i].text.find("cut off") != std::string::npos)
      return static_cast<int>(i);
  return -1;
}

} // namespace

// The resume count is written ahead when the new stream attaches (actors/
// write_ahead.hpp): a call picked up again and killed again counts both.
// Without it the row kept 0 until the end, and the second pick-up, read
// from that row, came out as the first.
BOOST_AUTO_TEST_CASE(a_call_killed_twice_counts_both_pick_ups) {
  crash_env e{{long_booking("+15550003001", "Fay Fir")}, 20'000};
  const auto& script = e.scripts.front();
  auto server = e.start();
  auto opts = e.env.caller_for(script);
  opts.follow_resume = true;
  opts.redirect_retry_ms = 100;
  auto done = std::make_shared<std::promise<sim::caller_result>>();
  auto caller = done->get_future();
  sim::run_caller(e.env.io(), std::move(opts),
                  [done](sim::caller_result r) { done->set_value(std::move(r)); });
  BOOST_REQUIRE_MESSAGE(wait_for_turns(e, 1, 3), "the call did not get past its first turn");
  const auto sid = e.env.calls().front().call_sid;
  const auto before = e.env.turns(sid).size();
  ::kill(server.pid(), SIGKILL);
  server = e.start();

  // -- picked up again: the count is on the open call before it ends --
  BOOST_REQUIRE_MESSAGE(
      eventually([&] { return cut_off_turn(e.env.turns(sid), before) >= 0; }, 60s, db_poll),
      "the caller was not picked up again");
  auto live = e.env.call_record(sid);
  BOOST_REQUIRE(live.has_value());
  BOOST_TEST(live->end_reason == end_reason::none);
  BOOST_TEST(live->resumes == 1);

  // -- killed again once the caller has had one more reply --
  BOOST_REQUIRE(eventually(
      [&] {
        auto turns = e.env.turns(sid);
        const int back = cut_off_turn(turns, before);
        return std::count_if(turns.begin() + back + 1, turns.end(),
                             [](const auto& t) { return t.role == speaker::assistant; }) >= 1;
      },
      60s, db_poll));
  ::kill(server.pid(), SIGKILL);
  server = e.start();
  BOOST_REQUIRE(caller.wait_for(90s) == std::future_status::ready);
  auto r = caller.get();
  BOOST_TEST_INFO("caller error: " << r.error);
  BOOST_TEST(r.ok);
  BOOST_TEST(r.streams == 3);
  BOOST_REQUIRE(eventually([&] { return e.env.call_record(sid)->end_reason != end_reason::none; },
                           30s, db_poll));
  BOOST_REQUIRE(e.env.wait_for_pushes(1, 20s));
  auto call = e.env.call_record(sid);
  BOOST_TEST(call->resumes == 2);
  BOOST_TEST(call->end_reason == end_reason::assistant_hangup);
  auto job = e.env.job(sid);
  BOOST_REQUIRE(job.has_value());
  BOOST_TEST(job->resumes == 2);
  BOOST_TEST(e.env.calls().size() == 1u);
  BOOST_TEST(e.env.pushes().size() == 1u);
  BOOST_TEST(e.env.pushes().front().find("\"resumes\":2") != std::string::npos);
}
