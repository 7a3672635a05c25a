// `switchboard report` (issue 17.5), driven through CLI11 as main() drives
// it, against a real database holding calls written through the store as
// the server writes them. The expected figures are computed here, from the
// test's own list of the calls it made, not from the database.
#include "app/report_command.hpp"
#include "app/variant_commands.hpp"

#define BOOST_TEST_MODULE report
#include <boost/test/unit_test.hpp>

#include "storage/store.hpp"
#include "store_fixtures.hpp"
#include "test_support.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <map>
#include <random>
#include <sstream>

using sb::test::temp_dir;

namespace sb::test {

/// Runs `switchboard ARGS` (report and variants) with a fresh App, as
/// main() does; the exit code and stdout. Shared with variants_test.cpp.
std::pair<int, std::string> cli(const std::string& db, std::vector<std::string> argv) {
  CLI::App app{"switchboard"};
  int exit_code = -1;
  sb::app::add_report_command(
      app, [db] { return db; }, exit_code);
  sb::app::add_variant_commands(
      app, [db] { return db; }, exit_code);
  argv.insert(argv.begin(), "switchboard");
  std::vector<const char*> raw;
  for (const auto& a : argv)
    raw.push_back(a.c_str());
  std::ostringstream out;
  auto* old = std::cout.rdbuf(out.rdbuf());
  app.parse(static_cast<int>(raw.size()), raw.data());
  std::cout.rdbuf(old);
  return {exit_code, out.str()};
}

} // namespace sb::test

namespace {

constexpr int64_t day_ms = 86'400'000;
constexpr int64_t monday_ms = 1'764'547'200'000; // 2025-12-01T00:00:00Z, a Monday

/// What the test did on one call.
struct made {
  std::string sid, day, week;
  bool answered = false, booked = false, transferred = false, voicemail = false;
  std::vector<int> latencies;
  int64_t tokens = 0;
  double cost = 0;
};

std::string ymd(int64_t ms) {
  std::time_t t = ms / 1000;
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", std::gmtime(&t));
  return buf;
}

/// Writes one call as the server would: webhook row, turns, finalize, and
/// for a voicemail the recording callback.
made make_call(sb::storage::store& db, int i, std::mt19937& rng) {
  made m;
  m.sid = "CA" + std::to_string(1000 + i);
  int day = static_cast<int>(rng() % 10); // 2025-12-01 .. 12-10: two weeks and a bit
  auto c = sb::test::sample_call(m.sid);
  c.started_at_ms = monday_ms + day * day_ms + static_cast<int64_t>(rng() % 80'000'000);
  m.day = ymd(c.started_at_ms);
  m.week = day < 7 ? "2025-12-01" : "2025-12-08";
  BOOST_REQUIRE(db.begin_call(c));
  m.answered = rng() % 5 != 0;
  c.ended_at_ms = c.started_at_ms + 60'000;
  c.status = sb::call_status::completed;
  c.end_reason = sb::end_reason::caller_hangup;
  sb::storage::job j;
  if (m.answered) {
    c.answered_at_ms = c.started_at_ms + 900;
    c.usage.input_audio = static_cast<int>(rng() % 3000);
    c.usage.output_audio = static_cast<int>(rng() % 5000);
    c.usage.input_text = 7;
    c.usage.output_text = 11;
    m.tokens = c.usage.input_audio + c.usage.output_audio + 18;
    c.cost_usd = m.cost = static_cast<double>(rng() % 1000) / 1000.0;
    m.transferred = rng() % 4 == 0;
    if (m.transferred)
      c.transfer.reason = "dtmf";
    m.booked = !m.transferred && rng() % 2 == 0;
    if (m.booked)
      j = sb::test::sample_job("2025-12-20", "10:00");
    int turns = static_cast<int>(rng() % 4);
    for (int k = 0; k < turns * 2; ++k) {
      sb::storage::transcript_turn t;
      t.call_sid = m.sid;
      t.seq = k;
      t.role = k % 2 ? sb::speaker::assistant : sb::speaker::caller;
      t.text = "turn";
      if (t.role == sb::speaker::assistant) {
        t.latency_ms = 300 + static_cast<int>(rng() % 900);
        m.latencies.push_back(t.latency_ms);
      }
      BOOST_REQUIRE(db.append_turn(t));
    }
  }
  j.call_sid = m.sid;
  j.tenant_number = c.tenant_number;
  BOOST_REQUIRE(db.finalize_call(c, j, "", ""));
  m.voicemail = !m.answered && rng() % 2 == 0;
  if (m.voicemail) {
    auto body = [](const sb::storage::job&, const sb::storage::tenant&) { return "{}"; };
    BOOST_REQUIRE(
        db.record_voicemail(m.sid, "https://api.twilio.com/rec/" + m.sid, 12, false, body));
  }
  return m;
}

/// The CSV's rows by period, each row's fields by column name.
std::map<std::string, std::map<std::string, std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    BOOST_TEST_REQUIRE((!line.empty() && line.back() == '\r'), "CRLF line ends");
    line.pop_back();
    std::vector<std::string> f;
    std::istringstream ls(line);
    for (std::string x; std::getline(ls, x, ',');)
      f.push_back(x);
    lines.push_back(f);
  }
  std::map<std::string, std::map<std::string, std::string>> rows;
  for (size_t r = 1; r < lines.size(); ++r)
    for (size_t i = 0; i < lines[0].size(); ++i)
      rows[lines[r][0]][lines[0][i]] = i < lines[r].size() ? lines[r][i] : "";
  return rows;
}

/// p-th percentile by nearest rank, written out as its definition: the
/// smallest value v with count(x <= v) >= p% of n.
std::string percentile(std::vector<int> v, double p) {
  if (v.empty())
    return "";
  std::sort(v.begin(), v.end());
  for (int x : v) {
    auto at_or_below = std::count_if(v.begin(), v.end(), [x](int y) { return y <= x; });
    if (100.0 * static_cast<double>(at_or_below) >= p * static_cast<double>(v.size()))
      return std::to_string(x);
  }
  return std::to_string(v.back());
}

/// Checks the report's rows against the calls, grouped by `key`.
void check(const std::vector<made>& calls, const std::string& csv, std::string made::*key) {
  std::map<std::string, std::vector<const made*>> groups;
  for (const auto& m : calls)
    groups[m.*key].push_back(&m);
  auto rows = parse_csv(csv);
  BOOST_TEST(rows.size() == groups.size());
  for (const auto& [period, ms] : groups) {
    BOOST_TEST_CONTEXT("period " << period) {
      auto& r = rows[period];
      auto count = [&](bool made::*f) {
        return std::to_string(std::count_if(ms.begin(), ms.end(), [f](auto m) { return m->*f; }));
      };
      BOOST_TEST(r["calls"] == std::to_string(ms.size()));
      BOOST_TEST(r["answered"] == count(&made::answered));
      BOOST_TEST(r["booked"] == count(&made::booked));
      BOOST_TEST(r["transferred"] == count(&made::transferred));
      BOOST_TEST(r["voicemails"] == count(&made::voicemail));
      long abandoned =
          std::count_if(ms.begin(), ms.end(), [](auto m) { return !m->answered && !m->voicemail; });
      BOOST_TEST(r["abandoned"] == std::to_string(abandoned));
      std::vector<int> lat;
      int64_t tokens = 0;
      double cost = 0;
      for (auto m : ms) {
        lat.insert(lat.end(), m->latencies.begin(), m->latencies.end());
        tokens += m->tokens;
        cost += m->cost;
      }
      BOOST_TEST(r["latency_median_ms"] == percentile(lat, 50));
      BOOST_TEST(r["latency_p95_ms"] == percentile(lat, 95));
      BOOST_TEST(r["tokens"] == std::to_string(tokens));
      BOOST_TEST(std::abs(std::stod(r["cost_usd"]) - cost) < 0.00006);
    }
  }
}

struct report_fixture {
  temp_dir dir;
  std::string db_path = dir.store_location("report.db");
  std::vector<made> calls;

  report_fixture() {
    auto db = sb::storage::store::open(db_path);
    BOOST_TEST_REQUIRE(static_cast<bool>(db));
    sb::storage::tenant t;
    t.number = "+15551230000";
    t.name = "Acme Plumbing";
    BOOST_TEST_REQUIRE(static_cast<bool>((*db)->add_tenant(t)));
    std::mt19937 rng(17);
    for (int i = 0; i < 120; ++i)
      calls.push_back(make_call(**db, i, rng));
    // Another tenant's call must not count.
    auto other = sb::test::sample_call("CAother");
    other.tenant_number = other.to = "+15559990000";
    other.started_at_ms = monday_ms + 3600'000;
    BOOST_TEST_REQUIRE(static_cast<bool>((*db)->begin_call(other)));
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(report, report_fixture)

BOOST_AUTO_TEST_CASE(per_day_csv_matches_the_calls_made) {
  auto [code, out] = sb::test::cli(db_path, {"report", "--tenant", "+15551230000", "--csv"});
  BOOST_TEST(code == 0);
  check(calls, out, &made::day);
}

BOOST_AUTO_TEST_CASE(per_week_by_tenant_id_matches_the_calls_made) {
  auto [code, out] = sb::test::cli(db_path, {"report", "--tenant", "1", "--per", "week", "--csv"});
  BOOST_TEST(code == 0);
  check(calls, out, &made::week);
}

BOOST_AUTO_TEST_CASE(table_and_errors) {
  auto [code, out] =
      sb::test::cli(db_path, {"report", "--tenant", "+15551230000", "--per", "week"});
  BOOST_TEST(code == 0);
  BOOST_TEST(out.find("PERIOD") != std::string::npos);
  BOOST_TEST(out.find("2025-12-08") != std::string::npos);
  BOOST_TEST(sb::test::cli(db_path, {"report", "--tenant", "+19999999999"}).first == 1);
  BOOST_TEST(sb::test::cli(db_path, {"report", "--tenant", "1", "--per", "month"}).first == 2);
}

BOOST_AUTO_TEST_SUITE_END()
