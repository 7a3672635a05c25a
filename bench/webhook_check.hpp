#pragma once
// Webhook throughput with wrk: signed POSTs to
// /telephony/realtime-inbound-voice at a fixed offered rate.

#include <string>

namespace sb::bench {

struct webhook_options {
  std::string switchboard_bin;
  int rate = 500; ///< offered requests per second
  int duration_s = 30;
  int connections = 10; ///< wrk connections; each waits connections/rate s between requests
  /// "random": each wait is drawn from 0.5x..1.5x that mean, so the
  /// connections send independently, as callers do; "fixed": every wait is
  /// the mean, and the connections stay in step (10 requests at once).
  std::string pacing = "random";
  std::string wrk_bin = "wrk";
  int server_io_threads = 1; ///< the server's [server] io_threads
};

/// Starts a server, writes the wrk Lua script, runs wrk, returns JSON (with
/// wrk's own text under "wrk_output"); the summary line goes to `summary`.
std::string run_webhook_check(const webhook_options& o, std::string& summary);

} // namespace sb::bench
