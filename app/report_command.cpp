#include "app/report_command.hpp"

#include "app/admin_text.hpp"
#include "receptionist/variants.hpp"
#include "storage/store.hpp"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>

namespace sb::app {

namespace {

const std::vector<std::string> columns{
    "period",         "calls",      "answered",  "booked",
    "transferred",    "voicemails", "abandoned", "latency_median_ms",
    "latency_p95_ms", "tokens",     "cost_usd"};

std::vector<std::string> fields(const storage::report_row& r) {
  char cost[32];
  std::snprintf(cost, sizeof cost, "%.4f", r.cost_usd);
  auto ms = [](int v) { return v < 0 ? std::string{} : std::to_string(v); };
  return {r.period,
          std::to_string(r.calls),
          std::to_string(r.answered),
          std::to_string(r.booked),
          std::to_string(r.transferred),
          std::to_string(r.voicemails),
          std::to_string(r.abandoned),
          ms(r.latency_median_ms),
          ms(r.latency_p95_ms),
          std::to_string(r.tokens),
          cost};
}

struct options {
  std::string tenant;
  std::string per = "day";
  std::string by = "period";
  bool csv = false;
};

} // namespace

std::optional<storage::tenant> tenant_named(storage::store& db, const std::string& which,
                                            std::string& error) {
  auto all = db.list_tenants();
  if (!all) {
    error = all.err().message;
    return std::nullopt;
  }
  for (const auto& t : *all) {
    if (t.number == which || std::to_string(t.id) == which)
      return t;
  }
  error = "no tenant '" + which + "' (see `switchboard tenants list`)";
  return std::nullopt;
}

namespace {

int run(const std::string& db_path, const options& o) {
  if (o.tenant.empty() || (o.per != "day" && o.per != "week") ||
      (o.by != "period" && o.by != "variant")) {
    std::cerr << "error: report: --tenant is required, --per is day or week, --by is period or "
                 "variant\n";
    return 2;
  }
  auto db = storage::store::open(db_path);
  if (!db) {
    std::cerr << "error: " << db.err().message << '\n';
    return 1;
  }
  std::string error;
  auto t = tenant_named(**db, o.tenant, error);
  if (!t) {
    std::cerr << "error: report: " << error << '\n';
    return 1;
  }
  if (o.by == "variant") {
    auto rows = (*db)->variant_report(t->number);
    if (!rows) {
      std::cerr << "error: " << rows.err().message << '\n';
      return 1;
    }
    print_variant_report(std::cout, *rows, o.csv);
    return 0;
  }
  auto p = o.per == "day" ? storage::report_period::day : storage::report_period::week;
  auto rows = (*db)->report(t->number, p);
  if (!rows) {
    std::cerr << "error: " << rows.err().message << '\n';
    return 1;
  }
  if (o.csv)
    print_report_csv(std::cout, *rows);
  else
    print_report_table(std::cout, *rows);
  return 0;
}

} // namespace

void print_report_csv(std::ostream& out, const std::vector<storage::report_row>& rows) {
  auto line = [&](const std::vector<std::string>& f) {
    for (size_t i = 0; i < f.size(); ++i)
      out << (i ? "," : "") << f[i];
    out << "\r\n"; // RFC 4180 2.1: CRLF line breaks
  };
  line(columns);
  for (const auto& r : rows)
    line(fields(r));
}

void print_report_table(std::ostream& out, const std::vector<storage::report_row>& rows) {
  if (rows.empty()) {
    out << "no calls\n";
    return;
  }
  std::vector<std::string> header{"PERIOD",    "CALLS",     "AI",     "BOOKED", "XFER",  "VM",
                                  "ABANDONED", "MEDIAN MS", "P95 MS", "TOKENS", "COST $"};
  std::vector<std::vector<std::string>> cells;
  for (const auto& r : rows) {
    auto f = fields(r);
    for (size_t i = 7; i <= 8; ++i)
      if (f[i].empty())
        f[i] = "-";
    cells.push_back(f);
  }
  text::print_table(out, header, cells);
}

void print_variant_report(std::ostream& out, const std::vector<storage::variant_outcome>& rows,
                          bool csv) {
  std::vector<std::vector<std::string>> cells;
  auto fixed = [](double x, int digits) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.*f", digits, x);
    return std::string{buf};
  };
  for (const auto& r : rows) {
    auto f = receptionist::figures_of(r);
    cells.push_back(
        {r.variant.empty() ? "-" : r.variant, std::to_string(r.calls), std::to_string(r.booked),
         fixed(f.booking_rate, 3), fixed(f.booking_ci95.low, 3), fixed(f.booking_ci95.high, 3),
         std::to_string(r.transferred), std::to_string(r.voicemails), fixed(f.mean_duration_s, 1),
         f.mean_latency_ms >= 0 ? std::to_string(f.mean_latency_ms) : "-",
         fixed(f.barge_ins_per_call, 2), fixed(f.cost_per_call_usd, 4)});
  }
  if (csv) {
    cells.insert(cells.begin(), {"variant", "calls", "booked", "booking_rate", "ci95_low",
                                 "ci95_high", "transferred", "voicemails", "mean_duration_s",
                                 "mean_latency_ms", "barge_ins_per_call", "cost_per_call_usd"});
    for (const auto& row : cells) {
      for (size_t i = 0; i < row.size(); ++i)
        out << (i ? "," : "") << (row[i] == "-" ? "" : row[i]);
      out << "\r\n";
    }
    return;
  }
  text::print_table(out,
                    {"VARIANT", "CALLS", "BOOKED", "RATE", "95% LOW", "95% HIGH", "XFER", "VM",
                     "MEAN S", "LATENCY MS", "BARGE/CALL", "$/CALL"},
                    cells);
}

void add_report_command(CLI::App& app, std::function<std::string()> db_path, int& exit_code) {
  auto o = std::make_shared<options>();
  auto* cmd = app.add_subcommand("report", "Calls, bookings, latency and cost per day or week");
  cmd->add_option("--tenant", o->tenant, "The tenant's number (E.164) or id (required)");
  cmd->add_option("--per", o->per, "day or week (UTC; weeks start on Monday)")
      ->capture_default_str();
  cmd->add_option("--by", o->by, "period, or variant (A/B outcomes over all calls)")
      ->capture_default_str();
  cmd->add_flag("--csv", o->csv, "CSV (RFC 4180) instead of a table");
  cmd->callback([o, db_path, &exit_code] { exit_code = run(db_path(), *o); });
}

} // namespace sb::app
