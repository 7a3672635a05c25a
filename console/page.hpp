#pragma once
// The console's page and login form, compiled into the binary (single
// binary deployment): HTML, CSS and JS as raw string literals.

#include <string>
#include <string_view>

namespace sb::console {

/// The console: connects to /console/feed and renders the snapshots.
std::string_view console_page();

/// The login form; `error` (plain text, escaped here) is shown above it.
std::string login_page(const std::string& error = {});

} // namespace sb::console
