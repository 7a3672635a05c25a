#pragma once
// `switchboard top`: the console's active-call and actor view in a terminal
// (for SSH sessions). Logs in with the operator token like the page does,
// subscribes to /console/feed with the session cookie, and redraws a table
// every second from the latest snapshot.

#include <iosfwd>
#include <string>

namespace sb::console {

struct top_options {
  std::string url = "http://127.0.0.1:3000"; ///< the server's base URL
  std::string token;                         ///< SWITCHBOARD_CONSOLE_TOKEN (never printed)
  bool once = false;                         ///< print the first snapshot and exit (scripts, tests)
  int max_frames = 0; ///< stop after this many redraws (0: until interrupted)
};

/// Runs until interrupted (or once). Exit code: 0, 1 when the server cannot
/// be reached or the feed ends, 2 when the token is refused or missing.
int run_top(const top_options& opt, std::ostream& out, std::ostream& err);

/// One screen of text from a feed snapshot (console/view.hpp JSON).
std::string render_top(const std::string& snapshot_json, const std::string& server);

} // namespace sb::console
