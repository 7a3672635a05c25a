// switchboard-cluster-bench's run: the peer, the cluster, the callers; then
// the load run or the takeover run (cluster_runs.hpp).
#include "bench/cluster/cluster_bench.hpp"

#include "bench/bench_setup.hpp"
#include "bench/cluster/cluster_calls.hpp"
#include "bench/cluster/cluster_nodes.hpp"
#include "bench/cluster/cluster_runs.hpp"
#include "common/scope_exit.hpp"
#include "net/io.hpp"

#include <filesystem>

namespace sb::bench {

namespace fs = std::filesystem;

cluster_result run_cluster_bench(const cluster_options& o) {
  cluster_result r;
  r.options = o;
  auto start = bench_run_start("switchboard-cluster-bench");
  r.date_utc = start.machine.date_utc;
  r.cpu_model = start.machine.cpu_model;
  r.cpus = start.machine.cpus;
  if (!start.error.empty()) {
    r.error = start.error;
    return r;
  }
  const auto& clips = start.clips;
  cluster_nodes c;
  c.dir = start.dir;
  const scope_exit remove_dir{[&] {
    if (!o.keep)
      fs::remove_all(c.dir);
  }};

  net::io_runtime io{1};
  auto calls = std::make_shared<call_pool>(io.context(), o.call_min_s, o.call_max_s);
  calls->rng.seed(o.seed);
  calls->replace = !o.takeover;
  // Enough scripts for every slot to turn over at the shortest length, twice over.
  const int span_s = o.call_max_s + o.window_s + o.calls / std::max(1, o.start_rate);
  calls->scripts =
      cluster_scripts(o.takeover ? o.calls : o.calls * (span_s / std::max(1, o.call_min_s) + 2),
                      o.takeover ? 600 : o.call_max_s);
  auto peer = start_cluster_peer(io.context(), *clips, calls->scripts);
  if (!peer) {
    r.error = "peer: " + peer.err().message;
    return r;
  }
  if (auto up = start_cluster(c, o, (*peer)->url()); !up) {
    r.error = up.err().message;
    stop_cluster(c);
    return r;
  }
  auto& b = calls->base;
  // Webhooks to the front (the balancer, or the one node); the takeover run
  // places every call on the first node, unless the callers come back.
  const bool on_first = o.takeover && !o.come_back;
  b.server_url = on_first ? c.node_url(0) : "http://127.0.0.1:" + std::to_string(c.front);
  if (o.come_back) { // as Twilio: follow the <Redirect>, retry an unreachable URL
    b.follow_resume = true;
    b.redirect_retry_ms = 200;
  }
  b.public_url = cluster_public_url;
  b.auth_token = c.token;
  b.to_number = cluster_business_number;
  b.clips = &*clips;
  b.max_call_ms = (o.takeover ? 600 : o.call_max_s + 120) * 1000;

  const status ran = o.takeover ? run_takeover_phase(o, c, calls, r.takeover)
                                : run_load_phase(o, c, calls, r.load);
  if (!ran)
    r.error = ran.err().message;
  stop_cluster(c);
  (*peer)->stop();
  io.stop();
  return r;
}

} // namespace sb::bench
