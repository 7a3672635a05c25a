// switchboard-soak (issue 15 item 5): N calls kept live for M minutes, each
// lasting a random 1-3 min and replaced when it ends; the server's RSS and
// open file descriptors sampled, their slopes fitted (bench/README.md).
//   switchboard-soak --calls 100 --minutes 30 --out results/soak.json --dat results/soak.dat
// Exit code 0: no call failed, RSS and fds flat within noise.

#include "bench/bench_setup.hpp"
#include "bench/soak/soak.hpp"
#include "common/log.hpp"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>

namespace {

std::string sibling_switchboard() {
  std::error_code ec;
  const auto self = std::filesystem::canonical("/proc/self/exe", ec);
  const auto p = self.parent_path().parent_path() / "app" / "switchboard";
  return !ec && std::filesystem::exists(p) ? p.string() : "switchboard";
}

} // namespace

int main(int argc, char** argv) {
  sb::log::set_level(sb::log::level::warn);
  CLI::App app{"switchboard-soak: calls kept up for a long time; RSS and fd slopes"};
  sb::bench::soak_options o;
  o.switchboard_bin = sibling_switchboard();
  std::string out, dat;
  app.add_option("--switchboard", o.switchboard_bin, "The server binary")->capture_default_str();
  app.add_option("--calls", o.calls, "Live calls")->capture_default_str();
  app.add_option("--minutes", o.minutes, "How long calls are started")->capture_default_str();
  app.add_option("--call-min-s", o.call_min_s, "Shortest call")->capture_default_str();
  app.add_option("--call-max-s", o.call_max_s, "Longest call")->capture_default_str();
  app.add_option("--sample-s", o.sample_s, "Seconds between samples")->capture_default_str();
  app.add_option("--seed", o.seed, "Seed of the call lengths")->capture_default_str();
  app.add_option("--fit-from-s", o.fit_from_s,
                 "Fit the slopes from this second on (0: once every slot has turned over)")
      ->capture_default_str();
  app.add_option("--server-log-level", o.log_level, "The server's log level")
      ->capture_default_str();
  app.add_flag("--keep", o.keep, "Keep the work dir (server log, database)");
  app.add_option("--out", out, "Write the JSON here");
  app.add_option("--dat", dat, "Write the samples for gnuplot here");
  CLI11_PARSE(app, argc, argv);
  if (o.call_min_s < 1 || o.call_max_s < o.call_min_s || o.calls < 1 || o.minutes < 1) {
    std::cerr << "want calls >= 1, minutes >= 1, 1 <= call-min-s <= call-max-s\n";
    return 2;
  }
  const auto r = sb::bench::run_soak(o);
  std::cout << sb::bench::soak_summary(r);
  if (!sb::bench::write_text_file(out, sb::bench::soak_json(r) + "\n") ||
      !sb::bench::write_text_file(dat, sb::bench::soak_dat(r)))
    return 1;
  const bool ok = r.error.empty() && r.calls_failed == 0 && r.calls_ended > 0 && r.rss_trend.flat &&
                  r.fd_trend.flat;
  return ok ? 0 : 1;
}
