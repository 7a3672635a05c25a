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

/// GET /console/app.js: the console's script.
std::string_view console_script();

/// GET /console/app.css: the stylesheet of the console and the login form.
std::string_view console_style();

/// The login form; `error` (plain text, escaped here) is shown above it.
std::string login_page(const std::string& error = {});

} // namespace sb::console
