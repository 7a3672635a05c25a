#pragma once
// `switchboard demo`: whole calls on loopback with no keys and no network.
// Starts the simulated Realtime peer (over TLS, with a CA made on the spot),
// the Twilio REST API stand-in, a push endpoint standing in for the
// business, the real server on a temporary database, and simulated callers
// who speak real speech. `--scenario NAME` picks the situation
// (app/demo_scenarios.hpp; default `booking`: a plumber booked in a short
// scripted conversation). Prints the call as it happens, the REST requests
// made, the job card read back from SQLite and the push notifications as
// received. Exit code 0 only when the outcome is the scenario's expected one.

#include <cstddef>
#include <iosfwd>
#include <string>

namespace sb::app {

struct demo_options {
  std::string scenario = "booking";
  bool keep_files = false; ///< keep the temporary database and CA
  /// `--calls N`: calls to place, for a scenario that takes a count
  /// (cluster); 0: the scenario's own.
  std::size_t calls = 0;
};

/// The most calls `--calls` places.
inline constexpr int max_demo_calls = 200;

int run_demo(const demo_options& options);

/// `switchboard demo --list`: one line per scenario.
void list_demo_scenarios(std::ostream& out);

} // namespace sb::app
