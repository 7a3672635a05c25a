// switchboard-cluster-bench (issue 16 item 5; bench/README.md):
//   switchboard-cluster-bench --database sqlite --calls 50 --out results/c-sqlite-50.json
//   switchboard-cluster-bench --database postgres --nodes 2 --calls 50
//   switchboard-cluster-bench --takeover --calls 50 --lease-ms 1000
// Exit code 0: no call failed (load run), every call taken over (takeover).

#include "bench/bench_setup.hpp"
#include "bench/cluster/cluster_bench.hpp"
#include "common/log.hpp"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>

int main(int argc, char** argv) {
  sb::log::set_level(sb::log::level::warn);
  CLI::App app{"switchboard-cluster-bench: one node on SQLite or PostgreSQL, two nodes on "
               "PostgreSQL behind HAProxy; the takeover of a killed node's calls"};
  sb::bench::cluster_options o;
  {
    std::error_code ec;
    const auto self = std::filesystem::canonical("/proc/self/exe", ec);
    o.switchboard_bin = (self.parent_path().parent_path() / "app" / "switchboard").string();
  }
  std::string out;
  app.add_option("--switchboard", o.switchboard_bin, "The server binary")->capture_default_str();
  app.add_option("--database", o.database, "sqlite or postgres (a throwaway server)")
      ->check(CLI::IsMember({"sqlite", "postgres"}))
      ->capture_default_str();
  app.add_option("--nodes", o.nodes, "Server nodes (2: PostgreSQL, HAProxy in front)")
      ->check(CLI::Range(1, 2))
      ->capture_default_str();
  app.add_option("--calls", o.calls, "Live calls kept up")->capture_default_str();
  app.add_option("--call-min-s", o.call_min_s, "Shortest call (s)")->capture_default_str();
  app.add_option("--call-max-s", o.call_max_s, "Longest call (s)")->capture_default_str();
  app.add_option("--window", o.window_s, "Measured window (s), after the fill and one longest call")
      ->capture_default_str();
  app.add_option("--start-rate", o.start_rate, "New calls per second while filling")
      ->capture_default_str();
  app.add_option("--webhook-rate", o.webhook_rate, "Webhook probe requests per second (0: none)")
      ->capture_default_str();
  app.add_option("--lease-ms", o.lease_ms, "[cluster] lease_ms")->capture_default_str();
  app.add_option("--grace-ms", o.grace_ms, "[resume] grace_ms")->capture_default_str();
  app.add_flag("--takeover", o.takeover,
               "Kill the first of two nodes with every call on it; time the takeover");
  app.add_flag("--come-back", o.come_back,
               "Takeover: the callers follow the <Redirect> back through the balancer and are "
               "resumed on the survivor (set --grace-ms above the lease)");
  app.add_option("--seed", o.seed, "Call lengths' seed")->capture_default_str();
  app.add_option("--server-log-level", o.log_level, "The servers' SWITCHBOARD_LOG_LEVEL")
      ->capture_default_str();
  app.add_flag("--keep", o.keep, "Keep the work dir (server logs, configs, SQLite file)");
  app.add_option("--out", out, "Write the JSON here");
  CLI11_PARSE(app, argc, argv);
  if (o.come_back)
    o.takeover = true;
  if (o.takeover) {
    o.database = "postgres";
    o.nodes = 2;
  }
  if (o.nodes > 1 && o.database != "postgres") {
    std::cerr << "--nodes 2 needs --database postgres (leases are kept on PostgreSQL only)\n";
    return 2;
  }
  if (o.call_min_s < 1 || o.call_max_s < o.call_min_s) {
    std::cerr << "--call-min-s must be >= 1 and <= --call-max-s\n";
    return 2;
  }
  const auto r = sb::bench::run_cluster_bench(o);
  std::cout << sb::bench::cluster_summary(r);
  if (!sb::bench::write_text_file(out, sb::bench::cluster_json(r) + "\n")) {
    std::cerr << "cannot write " << out << "\n";
    return 1;
  }
  const bool clean = r.error.empty() && (o.takeover || r.load.calls_failed == 0);
  return clean ? 0 : 1;
}
