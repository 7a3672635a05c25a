// switchboard-bench: the load benchmark (bench/README.md).
//   switchboard-bench --calls 100 --duration 60 --out results/fixed-100.json
//   switchboard-bench --ramp 100:100:1500 --step-duration 20 --out results/ramp.json
//   switchboard-bench --webhook-rate 500 --duration 30 --out results/webhook.json
// Exit code: 0 when no call failed and no byte was lost or duplicated.

#include "bench/bench_setup.hpp"
#include "bench/load_harness.hpp"
#include "bench/report.hpp"
#include "bench/webhook_check.hpp"
#include "common/log.hpp"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

namespace {

/// The switchboard binary next to this one (both in the build tree), unless given.
std::string default_switchboard(const char* argv0) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path self = fs::canonical("/proc/self/exe", ec);
  if (ec)
    self = argv0;
  for (auto p : {self.parent_path().parent_path() / "app" / "switchboard",
                 self.parent_path() / "switchboard"})
    if (fs::exists(p))
      return p.string();
  return "switchboard";
}

} // namespace

int main(int argc, char** argv) {
  sb::log::set_level(sb::log::level::warn);
  CLI::App app{"switchboard-bench: simulated callers and Realtime peer against switchboard serve"};
  sb::bench::harness_options o;
  o.switchboard_bin = default_switchboard(argv[0]);
  std::string ramp, out, dat;
  int webhook_rate = 0;
  app.add_option("--switchboard", o.switchboard_bin, "The server binary")->capture_default_str();
  app.add_option("--calls", o.calls, "Concurrent calls (fixed mode)")->capture_default_str();
  app.add_option("--duration", o.duration_s,
                 "Measurement window in seconds (fixed mode, webhook check)")
      ->capture_default_str();
  app.add_option("--ramp", ramp, "START:STEP:MAX concurrent calls, one window per step");
  app.add_option("--step-duration", o.step_s, "Ramp: seconds per step")->capture_default_str();
  app.add_option("--p99-limit-ms", o.p99_limit_ms,
                 "Ramp: a step holds while downstream p99 <= this")
      ->capture_default_str();
  app.add_flag("--keep-going", o.keep_going,
               "Ramp: continue past the first step that does not hold (plots)");
  app.add_flag("--tls", o.tls, "OpenAI leg over TLS (wss://, a generated CA)");
  app.add_flag("--twilio-tls", o.twilio_tls,
               "Twilio leg over TLS: the server serves https:// and wss:// (a generated CA)");
  app.add_option("--start-rate", o.start_rate, "New calls per second")->capture_default_str();
  app.add_option("--function-calls", o.function_call_fraction,
                 "Fraction of calls with function calls")
      ->capture_default_str();
  app.add_option("--barge-ins", o.barge_in_fraction, "Fraction of calls whose caller barges in")
      ->capture_default_str();
  app.add_flag("--bursty", o.bursty,
               "The peer sends each reply's 100 ms deltas back to back, not one per 20 ms");
  app.add_option("--threads", o.io_threads, "Harness io threads")->capture_default_str();
  app.add_option("--server-io-threads", o.server_io_threads, "The server's [server] io_threads")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  app.add_option("--server-log-level", o.log_level, "The server's SWITCHBOARD_LOG_LEVEL")
      ->capture_default_str();
  app.add_option("--server-console", o.server_console,
                 "The server's console on (1: a console token; also its /metrics for the bench)")
      ->capture_default_str();
  app.add_flag("--keep", o.keep, "Keep the work dir (server log, database)");
  app.add_option("--webhook-rate", webhook_rate, "Run the wrk webhook check at this rate instead");
  std::string webhook_pacing = "random";
  app.add_option("--webhook-pacing", webhook_pacing,
                 "Webhook check: random (connections send independently, like callers) or fixed "
                 "(every connection waits the same, so they send together)")
      ->check(CLI::IsMember({"random", "fixed"}))
      ->capture_default_str();
  app.add_option("--out", out, "Write the JSON here");
  app.add_option("--dat", dat, "Write one row per step for gnuplot here");
  CLI11_PARSE(app, argc, argv);

  if (webhook_rate > 0) {
    sb::bench::webhook_options w;
    w.switchboard_bin = o.switchboard_bin;
    w.rate = webhook_rate;
    w.duration_s = o.duration_s;
    w.server_io_threads = o.server_io_threads;
    w.pacing = webhook_pacing;
    std::string summary;
    const std::string json = sb::bench::run_webhook_check(w, summary);
    std::cout << summary;
    return sb::bench::write_text_file(out, json + "\n") ? 0 : 1;
  }
  if (!ramp.empty()) {
    o.ramp = true;
    if (std::sscanf(ramp.c_str(), "%d:%d:%d", &o.ramp_start, &o.ramp_step, &o.ramp_max) != 3 ||
        o.ramp_start <= 0 || o.ramp_step <= 0 || o.ramp_max < o.ramp_start) {
      std::cerr << "--ramp wants START:STEP:MAX, e.g. 100:100:1500\n";
      return 2;
    }
  }
  const auto r = sb::bench::run_load(o);
  std::cout << sb::bench::summary_text(r);
  if (!sb::bench::write_text_file(out, sb::bench::to_json(r) + "\n") ||
      !sb::bench::write_text_file(dat, sb::bench::to_dat(r) + "\n")) {
    std::cerr << "cannot write " << out << "\n";
    return 1;
  }
  const bool clean = r.error.empty() && r.failed_calls == 0 && r.bytes_lost == 0 &&
                     r.bytes_duplicated == 0 && r.mismatched_units == 0 && !r.calls.empty();
  return clean ? 0 : 1;
}
