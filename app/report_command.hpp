#pragma once
// `switchboard report`: what a business learns from its calls (issue 17.5),
// per day or per week, as an aligned table or as CSV, straight from the
// database file (like the admin commands: no server needed).

#include "storage/report.hpp"
#include "storage/store.hpp"

#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace sb::app {

/// Adds `report --tenant T [--per day|week] [--by period|variant] [--csv]`. T is the tenant's
/// number (E.164) or its id (`tenants list`). exit_code as for
/// add_admin_commands: 0 ok, 2 bad arguments, 1 failure (no such tenant).
void add_report_command(CLI::App& app, std::function<std::string()> db_path, int& exit_code);

/// `report --by variant`: per A/B variant, calls, booking rate with its
/// 95% Wilson interval, transfers, voicemails, mean duration, mean turn
/// latency, barge-ins per call and cost per call (issue 17.2).
void print_variant_report(std::ostream& out, const std::vector<storage::variant_outcome>& rows,
                          bool csv);

/// The report as CSV (RFC 4180; every field is a number or a date, so none
/// needs quoting): a header line, then one line per period.
void print_report_csv(std::ostream& out, const std::vector<storage::report_row>& rows);
/// The report as an aligned table for people.
void print_report_table(std::ostream& out, const std::vector<storage::report_row>& rows);

} // namespace sb::app
