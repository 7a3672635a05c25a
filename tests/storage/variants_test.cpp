// A/B variants (issue 17.2): 200 calls split across two variants by their
// CallSids, the split checked against the weights with a binomial bound,
// and `report --by variant` checked against the calls the test made.
#include "app/report_command.hpp"
#include "app/variant_commands.hpp"
#include "receptionist/variants.hpp"

#include <boost/test/unit_test.hpp>

#include "storage/store.hpp"
#include "store_fixtures.hpp"
#include "test_support.hpp"

#include <CLI/CLI.hpp>

#include <cmath>
#include <iostream>
#include <map>
#include <random>
#include <sstream>

namespace sb::test {
std::pair<int, std::string> cli(const std::string& db, std::vector<std::string> argv);
}

namespace {

using sb::test::cli;

/// A CallSid as Twilio makes them: "CA" and 32 hex digits.
std::string call_sid(std::mt19937_64& rng) {
  char buf[35];
  std::snprintf(buf, sizeof buf, "CA%016llx%016llx", static_cast<unsigned long long>(rng()),
                static_cast<unsigned long long>(rng()));
  return buf;
}

struct tally {
  int calls = 0, booked = 0, transferred = 0;
  int64_t duration_ms = 0, barge_ins = 0;
  double cost = 0;
};

} // namespace

BOOST_AUTO_TEST_SUITE(variants)

BOOST_AUTO_TEST_CASE(wilson_interval_closed_forms) {
  // k = 0: [0, z^2 / (n + z^2)]; k = n: the mirror image.
  auto none = sb::receptionist::wilson_interval(0, 10);
  BOOST_TEST(none.low == 0.0);
  BOOST_TEST(std::abs(none.high - 3.8416 / 13.8416) < 1e-9);
  auto all = sb::receptionist::wilson_interval(10, 10);
  BOOST_TEST(std::abs(all.low - 10.0 / 13.8416) < 1e-9);
  BOOST_TEST(std::abs(all.high - 1.0) < 1e-12);
  auto half = sb::receptionist::wilson_interval(50, 100);
  BOOST_TEST(std::abs(half.low + half.high - 1.0) < 1e-12); // symmetric about 1/2
  BOOST_TEST(half.low < 0.5);
}

BOOST_AUTO_TEST_CASE(two_hundred_calls_split_by_weight_and_reported) {
  sb::test::temp_dir dir;
  auto db_path = dir.store_location("variants.db");
  const std::string number = "+15551230000";
  {
    auto db = sb::storage::store::open(db_path);
    BOOST_TEST_REQUIRE(static_cast<bool>(db));
    sb::storage::tenant t;
    t.number = number;
    t.name = "Acme Plumbing";
    BOOST_TEST_REQUIRE(static_cast<bool>((*db)->add_tenant(t)));
  }
  BOOST_TEST(cli(db_path, {"variants", "add", "--tenant", number, "--name", "warm", "--voice",
                           "coral", "--weight", "3", "--greeting", "Hi there!"})
                 .first == 0);
  BOOST_TEST(cli(db_path, {"variants", "add", "--tenant", "1", "--name", "brisk", "--weight", "1"})
                 .first == 0);
  BOOST_TEST(cli(db_path, {"variants", "add", "--tenant", "1", "--name", "brisk"}).first == 1);
  auto db = sb::storage::store::open(db_path);
  auto tenant = (*db)->find_tenant(number);
  BOOST_TEST_REQUIRE((tenant && *tenant && (*tenant)->variants.size() == 2u));
  const auto& variants = (*tenant)->variants;

  std::mt19937_64 rng(172);
  std::map<std::string, tally> made;
  for (int i = 0; i < 200; ++i) {
    auto c = sb::test::ended(sb::test::sample_call(call_sid(rng)));
    const auto* v = sb::receptionist::pick_variant(c.call_sid, variants);
    BOOST_TEST_REQUIRE(v != nullptr);
    BOOST_TEST(sb::receptionist::pick_variant(c.call_sid, variants) == v); // deterministic
    c.variant = v->name;
    c.ended_at_ms = c.started_at_ms + 30'000 + static_cast<int64_t>(rng() % 60'000);
    c.barge_ins = static_cast<int>(rng() % 3);
    c.cost_usd = static_cast<double>(rng() % 500) / 1000.0;
    bool transferred = rng() % 5 == 0, booked = !transferred && rng() % 2 == 0;
    if (transferred)
      c.transfer.reason = "dtmf";
    auto j = booked ? sb::test::sample_job() : sb::storage::job{};
    j.call_sid = c.call_sid;
    BOOST_TEST_REQUIRE(static_cast<bool>((*db)->begin_call(c)));
    BOOST_TEST_REQUIRE(static_cast<bool>((*db)->finalize_call(c, j, "", "")));
    auto& m = made[v->name];
    ++m.calls;
    m.booked += booked;
    m.transferred += transferred;
    m.duration_ms += c.ended_at_ms - c.started_at_ms;
    m.barge_ins += c.barge_ins;
    m.cost += c.cost_usd;
  }
  // "warm" has weight 3 of 4: its count is Binomial(200, 0.75), sd 6.1.
  // Within 4 sd: a sound hash fails this about once in 16,000 seeds.
  double sd = std::sqrt(200 * 0.75 * 0.25);
  BOOST_TEST(std::abs(made["warm"].calls - 150.0) <= 4 * sd, made["warm"].calls << " of 200");
  BOOST_TEST(made["warm"].calls + made["brisk"].calls == 200);

  auto [code, csv] = cli(db_path, {"report", "--tenant", number, "--by", "variant", "--csv"});
  BOOST_TEST_REQUIRE(code == 0);
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line); // header
  int rows = 0;
  while (std::getline(in, line)) {
    ++rows;
    std::vector<std::string> f;
    std::istringstream ls(line.substr(0, line.size() - 1)); // CRLF
    for (std::string x; std::getline(ls, x, ',');)
      f.push_back(x);
    BOOST_TEST_REQUIRE(f.size() >= 12u);
    const auto& m = made[f[0]];
    BOOST_TEST_CONTEXT("variant " << f[0]) {
      BOOST_TEST(std::stoi(f[1]) == m.calls);
      BOOST_TEST(std::stoi(f[2]) == m.booked);
      auto ci = sb::receptionist::wilson_interval(m.booked, m.calls);
      BOOST_TEST(std::abs(std::stod(f[4]) - ci.low) < 0.0006);
      BOOST_TEST(std::abs(std::stod(f[5]) - ci.high) < 0.0006);
      BOOST_TEST(std::stoi(f[6]) == m.transferred);
      BOOST_TEST(std::abs(std::stod(f[8]) - m.duration_ms / 1000.0 / m.calls) < 0.06);
      BOOST_TEST(std::abs(std::stod(f[10]) - static_cast<double>(m.barge_ins) / m.calls) < 0.006);
      BOOST_TEST(std::abs(std::stod(f[11]) - m.cost / m.calls) < 0.00006);
    }
  }
  BOOST_TEST(rows == 2);

  // Retired: new lookups no longer offer it; its calls still report.
  BOOST_TEST(cli(db_path, {"variants", "retire", "--tenant", number, "--name", "brisk"}).first ==
             0);
  auto after = (*db)->find_tenant(number);
  BOOST_TEST_REQUIRE((after && *after && (*after)->variants.size() == 1u));
  BOOST_TEST((*after)->variants[0].name == "warm");
  auto again = cli(db_path, {"report", "--tenant", number, "--by", "variant"});
  BOOST_TEST(again.second.find("brisk") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
