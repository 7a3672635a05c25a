#pragma once
// The console's page and login form, compiled into the binary (single
// binary deployment): HTML, CSS and JS as raw string literals. The script
// and the stylesheet are served as their own resources, never inline, so
// that the Content-Security-Policy can forbid inline code (issue 15).

#include <string>
#include <string_view>

namespace sb::console {

/// The console: connects to /console/feed and renders the snapshots.
std::string_view console_page();

/// GET /console/reports: a tenant's report per day or week, as charts and a
/// table; GET /console/variants: its A/B variants and their outcomes. Both
/// load /console/reports.js, which reads /console/api/* (console/reports.hpp).
std::string_view reports_page();
std::string_view variants_page();

/// GET /console/app.js: the console's script, the cluster view's included.
std::string_view console_script();

/// The cluster view's part of app.js (console/cluster_script.cpp): reads
/// /console/api/cluster (console/cluster.hpp) every 5 s.
std::string_view cluster_script();

/// GET /console/reports.js: the Reports and Variants pages' script
/// (console/report_script.cpp): tables and SVG charts drawn in the page.
std::string_view reports_script();

/// GET /console/app.css: the stylesheet of the console and the login form.
std::string_view console_style();

/// The login form; `error` (plain text, escaped here) is shown above it.
std::string login_page(const std::string& error = {});

} // namespace sb::console
