// The console's report API (issue 17.2, 17.5) against the storage figures:
// calls written through a second store on the server's database file (as
// the CLI writes next to a live server), then /console/api/report and
// /console/api/variants compared field by field with store::report and
// store::variant_report read from that file.
#define BOOST_TEST_MODULE console_reports
#include "console/reports.hpp"

#include "receptionist/variants.hpp"
#include "storage/store.hpp"
#include "tests/console/console_client.hpp"
#include "tests/console/console_env.hpp"

#include <boost/test/unit_test.hpp>

#include <cmath>

using namespace sb;
using namespace sb::console::test;

namespace {

constexpr const char* token = "operator-token-for-report-tests-0123";
constexpr int64_t day_ms = 86'400'000;

/// Six calls over three days, two variants, some booked, with latencies.
void seed(storage::store& db) {
  BOOST_REQUIRE(db.add_variant(business_number, {"A", "", "", "", 3}).ok());
  BOOST_REQUIRE(db.add_variant(business_number, {"B", "", "", "", 1}).ok());
  const int64_t t0 = 1'764'547'200'000; // 2025-12-01T00:00:00Z
  for (int i = 0; i < 6; ++i) {
    storage::call_record c;
    c.call_sid = "CAseed" + std::to_string(i);
    c.tenant_number = business_number;
    c.started_at_ms = t0 + (i % 3) * day_ms + 3'600'000;
    c.answered_at_ms = c.started_at_ms + 500;
    c.ended_at_ms = c.started_at_ms + 60'000 + i * 1000;
    c.status = call_status::completed;
    c.end_reason = end_reason::caller_hangup;
    c.variant = i % 2 ? "A" : "B";
    c.cost_usd = 0.01 * (i + 1);
    c.usage.input_audio = 100 * (i + 1);
    BOOST_REQUIRE(db.begin_call(c).ok());
    storage::transcript_turn t;
    t.call_sid = c.call_sid;
    t.role = speaker::assistant;
    t.text = "ok";
    t.latency_ms = 300 + 50 * i;
    BOOST_REQUIRE(db.append_turn(t).ok());
    storage::job j;
    j.call_sid = c.call_sid;
    j.tenant_number = business_number;
    if (i % 3 != 2) {
      j.details.preferred_date = "2025-12-20";
      j.details.preferred_time = "10:00";
    }
    BOOST_REQUIRE(db.finalize_call(c, j, "", "").ok());
  }
}

rapidjson::Document get_json(console_env& env, const std::string& session,
                             const std::string& path) {
  auto r = request(env.io(), "GET", env.base_url() + path, session);
  BOOST_TEST_REQUIRE(r.status == 200, path << ": " << r.status << " " << r.body);
  rapidjson::Document d;
  d.Parse(r.body.c_str());
  BOOST_REQUIRE(d.IsObject());
  return d;
}

} // namespace

BOOST_AUTO_TEST_CASE(the_report_api_gives_the_stores_figures_per_day_week_and_variant) {
  log::set_level(log::level::off);
  console_env env{token, booking_script()};
  auto db = storage::store::open(env.db_path());
  BOOST_REQUIRE(db.ok());
  seed(**db);
  auto session = login(env.io(), env.base_url(), token);
  BOOST_TEST(request(env.io(), "GET", env.base_url() + "/console/api/report?tenant=%2B15551230000")
                 .status == 401); // no session
  for (auto p : {storage::report_period::day, storage::report_period::week}) {
    auto want = (*db)->report(business_number, p);
    BOOST_REQUIRE(want.ok());
    BOOST_REQUIRE(!want->empty());
    auto got = get_json(env, session,
                        std::string{"/console/api/report?tenant=%2B15551230000&per="} +
                            (p == storage::report_period::day ? "day" : "week"));
    const auto& rows = got["rows"];
    BOOST_REQUIRE(rows.Size() == want->size());
    for (rapidjson::SizeType i = 0; i < rows.Size(); ++i) {
      const auto& w = (*want)[i];
      BOOST_TEST(rows[i]["period"].GetString() == w.period);
      BOOST_TEST(rows[i]["calls"].GetInt() == w.calls);
      BOOST_TEST(rows[i]["answered"].GetInt() == w.answered);
      BOOST_TEST(rows[i]["booked"].GetInt() == w.booked);
      BOOST_TEST(rows[i]["latencyMedianMs"].GetInt() == w.latency_median_ms);
      BOOST_TEST(rows[i]["latencyP95Ms"].GetInt() == w.latency_p95_ms);
      BOOST_TEST(rows[i]["tokens"].GetInt64() == w.tokens);
      BOOST_TEST(std::abs(rows[i]["costUsd"].GetDouble() - w.cost_usd) < 1e-9);
    }
  }
  auto outcomes = (*db)->variant_report(business_number);
  BOOST_REQUIRE(outcomes.ok());
  auto got = get_json(env, session, "/console/api/variants?tenant=%2B15551230000");
  const auto& vs = got["variants"];
  BOOST_REQUIRE(vs.Size() == 2u);
  BOOST_TEST(std::string{vs[0]["name"].GetString()} == "A");
  BOOST_TEST(vs[0]["weight"].GetInt() == 3);
  BOOST_TEST(std::string{vs[0]["status"].GetString()} == "live");
  for (rapidjson::SizeType i = 0; i < vs.Size(); ++i)
    for (const auto& o : *outcomes)
      if (o.variant == vs[i]["name"].GetString()) {
        auto f = receptionist::figures_of(o);
        BOOST_TEST(vs[i]["calls"].GetInt() == o.calls);
        BOOST_TEST(vs[i]["booked"].GetInt() == o.booked);
        BOOST_TEST(std::abs(vs[i]["ci95Low"].GetDouble() - f.booking_ci95.low) < 1e-12);
        BOOST_TEST(std::abs(vs[i]["ci95High"].GetDouble() - f.booking_ci95.high) < 1e-12);
        BOOST_TEST(vs[i]["meanLatencyMs"].GetInt64() == f.mean_latency_ms);
      }
  BOOST_TEST(request(env.io(), "GET", env.base_url() + "/console/api/report", session).status ==
             400); // no tenant
}
