// The operator CLI's data commands, driven through CLI11 as main() will
// drive them, against a real database file.
#include "app/admin_commands.hpp"

#define BOOST_TEST_MODULE admin_cli
#include <boost/test/unit_test.hpp>

#include "storage/store.hpp"
#include "store_fixtures.hpp"
#include "test_support.hpp"

#include <CLI/CLI.hpp>

#include <iostream>
#include <sstream>

using sb::test::temp_dir;

namespace {

struct outcome {
  int exit_code = -1;
  std::string out, err;
};

/// Redirects a stream into a string for the guard's lifetime.
class capture {
public:
  explicit capture(std::ostream& s) : stream_(s), old_(s.rdbuf(buf_.rdbuf())) {}
  ~capture() { stream_.rdbuf(old_); }
  std::string text() const { return buf_.str(); }

private:
  std::ostream& stream_;
  std::ostringstream buf_;
  std::streambuf* old_;
};

/// Parses `argv` (without the program name) with a fresh App.
outcome run(const std::string& db, std::vector<std::string> argv) {
  CLI::App app{"switchboard"};
  outcome o;
  sb::app::add_admin_commands(
      app, [db] { return db; }, o.exit_code);
  argv.insert(argv.begin(), "switchboard");
  std::vector<const char*> raw;
  for (const auto& a : argv)
    raw.push_back(a.c_str());
  capture out(std::cout), err(std::cerr);
  app.parse(static_cast<int>(raw.size()), raw.data());
  o.out = out.text();
  o.err = err.text();
  return o;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

struct cli_fixture {
  temp_dir dir;
  std::string db = dir.store_location("cli.db");
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(admin_cli, cli_fixture)

BOOST_AUTO_TEST_CASE(adds_lists_and_removes_tenants) {
  auto add = run(db, {"tenants", "add", "--number", "+15551230000", "--name", "Acme Plumbing",
                      "--push-url", "https://acme.example/push", "--hours", "mon-sat 07:00-19:00",
                      "--timezone", "America/New_York"});
  BOOST_TEST(add.exit_code == 0, add.err);
  BOOST_TEST(contains(add.out, "+15551230000"));
  auto add2 = run(db, {"tenants", "add", "--number", "+442071234567", "--name", "Best Electric"});
  BOOST_TEST(add2.exit_code == 0, add2.err);

  auto list = run(db, {"tenants", "list"});
  BOOST_TEST(list.exit_code == 0);
  BOOST_TEST(contains(list.out, "NUMBER"));
  BOOST_TEST(contains(list.out, "Acme Plumbing"));
  BOOST_TEST(contains(list.out, "https://acme.example/push"));
  BOOST_TEST(contains(list.out, "Best Electric"));
  // Aligned: the NAME column starts at the same offset on every line.
  std::istringstream lines(list.out);
  std::string header, line;
  std::getline(lines, header);
  int rows = 0;
  while (std::getline(lines, line)) {
    ++rows;
    auto at = line.find(line.find("Acme") != std::string::npos ? "Acme" : "Best");
    BOOST_TEST(header.find("NAME") == at, line);
  }
  BOOST_TEST(rows == 2);

  {
    auto s = sb::storage::store::open(db); // the options reached the row
    BOOST_TEST_REQUIRE(s.ok());
    auto t = (*s)->find_tenant("+15551230000");
    BOOST_TEST_REQUIRE(t.ok());
    BOOST_TEST_REQUIRE(t->has_value());
    BOOST_TEST((*t)->hours == "mon-sat 07:00-19:00");
    BOOST_TEST((*t)->timezone == "America/New_York");
  }

  auto remove = run(db, {"tenants", "remove", "--number", "+15551230000"});
  BOOST_TEST(remove.exit_code == 0, remove.err);
  auto after = run(db, {"tenants", "list"});
  BOOST_TEST(!contains(after.out, "Acme Plumbing"));
  BOOST_TEST(contains(after.out, "Best Electric"));
  auto again = run(db, {"tenants", "remove", "--number", "+15551230000"});
  BOOST_TEST(again.exit_code == 1);
  BOOST_TEST(contains(again.err, "no tenant"));
}

BOOST_AUTO_TEST_CASE(rejects_a_duplicate_tenant_with_exit_code_1) {
  BOOST_TEST(run(db, {"tenants", "add", "--number", "+15551230000", "--name", "A"}).exit_code == 0);
  auto dup = run(db, {"tenants", "add", "--number", "+15551230000", "--name", "B"});
  BOOST_TEST(dup.exit_code == 1);
  BOOST_TEST(contains(dup.err, "already exists"));
}

BOOST_AUTO_TEST_CASE(rejects_bad_arguments_with_exit_code_2) {
  for (const char* number :
       {"5551230000", "+05551230000", "+1555", "+1555123000012345", "+1555-123-0000", ""}) {
    auto r = run(db, {"tenants", "add", "--number", number, "--name", "Acme"});
    BOOST_TEST(r.exit_code == 2, number);
    BOOST_TEST(contains(r.err, "E.164"), number);
    BOOST_TEST(std::count(r.err.begin(), r.err.end(), '\n') == 1); // one line
  }
  auto url = run(db, {"tenants", "add", "--number", "+15551230000", "--name", "Acme", "--push-url",
                      "ftp://acme.example/"});
  BOOST_TEST(url.exit_code == 2);
  BOOST_TEST(contains(url.err, "http"));
  auto no_name = run(db, {"tenants", "add", "--number", "+15551230000"});
  BOOST_TEST(no_name.exit_code == 2);
  auto bad_id = run(db, {"jobs", "show", "abc"});
  BOOST_TEST(bad_id.exit_code == 2);
  auto bad_limit = run(db, {"calls", "list", "--limit", "0"});
  BOOST_TEST(bad_limit.exit_code == 2);
  // Nothing was written by the rejected commands.
  auto list = run(db, {"tenants", "list"});
  BOOST_TEST(contains(list.out, "no tenants"));
}

BOOST_AUTO_TEST_CASE(updates_a_tenants_slots_and_recording_in_one_command) {
  BOOST_TEST(run(db, {"tenants", "add", "--number", "+15551230000", "--name", "A"}).exit_code == 0);
  auto slots = run(db, {"tenants", "update", "--tenant", "+15551230000", "--slot-minutes", "30",
                        "--slot-capacity", "2"});
  BOOST_TEST(slots.exit_code == 0, slots.err);
  auto rec = run(db, {"tenants", "update", "--number", "+15551230000", "--record"});
  BOOST_TEST(rec.exit_code == 0, rec.err);
  BOOST_TEST(contains(rec.out, "calls recorded"), rec.out);
  auto read = [&] {
    auto s = sb::storage::store::open(db);
    BOOST_TEST_REQUIRE(s.ok());
    auto t = (*s)->find_tenant("+15551230000");
    BOOST_TEST_REQUIRE((t.ok() && t->has_value()));
    return **t;
  };
  auto t = read();
  BOOST_TEST(t.record);
  BOOST_TEST(t.slot_minutes == 30); // kept by the --record update
  BOOST_TEST(t.slot_capacity == 2);
  BOOST_TEST(run(db, {"tenants", "update", "--tenant", "1", "--no-record", "--slot-capacity", "3"})
                 .exit_code == 0);
  t = read();
  BOOST_TEST(!t.record);
  BOOST_TEST(t.slot_capacity == 3);
  auto nothing = run(db, {"tenants", "update", "--tenant", "+15551230000"});
  BOOST_TEST(nothing.exit_code == 2);
  BOOST_TEST(contains(nothing.err, "--record"), nothing.err);
  BOOST_TEST(run(db, {"tenants", "update", "--number", "+19999999999", "--record"}).exit_code == 1);
}

BOOST_AUTO_TEST_CASE(adds_a_tenants_languages_and_greetings_and_refuses_bad_ones) {
  auto add = run(db, {"tenants", "add", "--number", "+15551230000", "--name", "Acme", "--language",
                      "es", "--languages", "en,fr", "--greeting-for", "es=Hola, ¿qué tal?",
                      "--greeting-for", "fr=Bonjour"});
  BOOST_TEST(add.exit_code == 0, add.err);
  {
    auto s = sb::storage::store::open(db);
    BOOST_TEST_REQUIRE(s.ok());
    auto t = (*s)->find_tenant("+15551230000");
    BOOST_TEST_REQUIRE((t.ok() && t->has_value()));
    BOOST_TEST((*t)->language == "es");
    BOOST_TEST((*t)->languages == (std::vector<std::string>{"en", "fr"}),
               boost::test_tools::per_element());
    BOOST_TEST((*t)->greetings.at("es") == "Hola, ¿qué tal?");
    BOOST_TEST((*t)->greetings.at("fr") == "Bonjour");
  }
  const std::vector<std::vector<std::string>> bad{
      {"--language", "Spanish"},
      {"--languages", "en,EN"},
      {"--greeting-for", "Hola"},
      {"--greeting-for", "de=Hallo"}}; // de is not served
  for (const auto& extra : bad) {
    std::vector<std::string> argv{"tenants", "add", "--number", "+15551239999", "--name", "B"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto r = run(db, argv);
    BOOST_TEST(r.exit_code == 2, extra.back());
    BOOST_TEST(std::count(r.err.begin(), r.err.end(), '\n') == 1, r.err); // one line
  }
  auto list = run(db, {"tenants", "list"});
  BOOST_TEST(!contains(list.out, "+15551239999")); // nothing written by the refused ones
}

BOOST_AUTO_TEST_CASE(lists_and_shows_jobs_with_their_transcript) {
  int64_t id = 0;
  {
    auto s = sb::storage::store::open(db);
    BOOST_TEST_REQUIRE(s.ok());
    auto& st = **s;
    const std::string sid = "CA00000000000000000000000000000042";
    BOOST_TEST_REQUIRE(st.begin_call(sb::test::sample_call(sid)).ok());
    sb::storage::transcript_turn t;
    t.call_sid = sid;
    t.role = sb::speaker::caller;
    t.text = "My kitchen tap is leaking";
    t.started_at_ms = sb::test::sample_call(sid).started_at_ms + 4'000;
    BOOST_TEST_REQUIRE(st.append_turn(t).ok());
    t.seq = 1;
    t.role = sb::speaker::assistant;
    t.text = "I can book a plumber for you...";
    t.full_text = "I can book a plumber for you on Tuesday morning.";
    t.truncated = true;
    t.started_at_ms += 3'000;
    BOOST_TEST_REQUIRE(st.append_turn(t).ok());
    auto job = sb::test::sample_job();
    job.cost_usd = 0.353456; // the call's, as make_job copies it
    auto r = st.finalize_call(sb::test::ended(sb::test::sample_call(sid)), job, "", "");
    BOOST_TEST_REQUIRE(r.ok());
    id = *r;
  }
  auto list = run(db, {"jobs", "list"});
  BOOST_TEST(list.exit_code == 0, list.err);
  BOOST_TEST(contains(list.out, "Dana Smith"));
  BOOST_TEST(contains(list.out, "leaking kitchen tap"));
  BOOST_TEST(contains(list.out, "2026-12-01 09:00"));
  BOOST_TEST(contains(list.out, "+15559870000"));

  auto show = run(db, {"jobs", "show", std::to_string(id)});
  BOOST_TEST(show.exit_code == 0, show.err);
  for (const char* part :
       {"Dana Smith", "12 Elm Street", "side door", "normal", "CA00000000000000000000000000000042",
        "Transcript (2 turns)", "caller: My kitchen tap is leaking",
        "assistant: I can book a plumber for you... [cut off]",
        "generated, not all heard: I can book a plumber for you on Tuesday morning.",
        "Cost:", "$0.3535"})
    BOOST_TEST(contains(show.out, part), part);
  // The transcript comes below the card.
  BOOST_TEST(show.out.find("Transcript") > show.out.find("12 Elm Street"));

  auto calls = run(db, {"calls", "list", "--limit", "5"});
  BOOST_TEST(calls.exit_code == 0, calls.err);
  BOOST_TEST(contains(calls.out, "CA00000000000000000000000000000042"));
  BOOST_TEST(contains(calls.out, "2025-11-27T12:00:00Z"));
  BOOST_TEST(contains(calls.out, "1m34s")); // answered +1 s, ended +95 s
  BOOST_TEST(contains(calls.out, "caller_hangup"));
  BOOST_TEST(contains(calls.out, "COST"));
  BOOST_TEST(contains(calls.out, "$0.3535")); // calls.cost_usd of the sample call

  auto missing = run(db, {"jobs", "show", std::to_string(id + 100)});
  BOOST_TEST(missing.exit_code == 1);
  BOOST_TEST(contains(missing.err, "no job"));
}

BOOST_AUTO_TEST_CASE(reports_an_unwritable_database_with_exit_code_1) {
  for (auto args : std::vector<std::vector<std::string>>{
           {"tenants", "list"},
           {"tenants", "add", "--number", "+15551230000", "--name", "Acme"},
           {"calls", "list"},
           {"jobs", "list"}}) {
    auto r = run("/proc/no-such-dir/switchboard.db", args);
    BOOST_TEST(r.exit_code == 1, args[0]);
    BOOST_TEST(contains(r.err, "/proc/no-such-dir/switchboard.db"), r.err);
    BOOST_TEST(r.out.empty());
  }
}

BOOST_AUTO_TEST_CASE(empty_listings_say_so) {
  BOOST_TEST(contains(run(db, {"calls", "list"}).out, "no calls"));
  BOOST_TEST(contains(run(db, {"jobs", "list"}).out, "no jobs"));
  BOOST_TEST(run(db, {"jobs", "list"}).exit_code == 0);
}

BOOST_AUTO_TEST_SUITE_END()
