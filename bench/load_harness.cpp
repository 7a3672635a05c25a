// The load run: peer and callers in this process, the server apart; calls
// started at a steady rate, held for a window per step, then hung up
// together (each at its next pause between turns, so no audio is in flight).
#include "bench/load_harness.hpp"

#include "bench/load_calls.hpp"
#include "bench/load_measure.hpp"
#include "bench/load_setup.hpp"
#include "common/scope_exit.hpp"
#include "common/time.hpp"
#include "net/io.hpp"

#include <boost/asio/post.hpp>

#include <atomic>
#include <filesystem>
#include <memory>

namespace sb::bench {

using namespace load;

run_result run_load(const harness_options& o) {
  const auto start = bench_run_start("switchboard-bench");
  run_result rr = new_run_result(o, start);
  if (!rr.error.empty())
    return rr;
  const auto& clips = start.clips;
  const fs::path dir = start.dir;
  const scope_exit remove_dir{[&] {
    if (!o.keep)
      fs::remove_all(dir);
  }};
  const run_plan plan = plan_run(o);

  // -- the peer (OpenAI stand-in) --
  call_table calls{plan.max_calls};
  add_calls(calls, o, plan, rr);
  net::io_runtime io{o.io_threads};
  sim::peer_options po = peer_options_for(calls, *clips);
  if (o.bursty)
    po.delta_interval_ms = 0;
  const tls_material tls = make_tls_material(o, dir, po);
  auto peer = sim::realtime_peer::start(io.context(), po);
  if (!peer) {
    rr.error = "peer: " + peer.err().message;
    return rr;
  }

  // -- the server, a separate process --
  const uint16_t port = free_port();
  const std::string token = "bench-token-" + std::to_string(now_ms());
  // No console (the default): no token, and no /metrics to read.
  const metrics_source metrics{port, o.server_console ? "bench-console-" + std::to_string(now_ms())
                                                      : std::string{}};
  auto server = start_server(o, dir, tls, (*peer)->url(), port, token, metrics.bearer);
  if (!server) {
    rr.error = server.err().message;
    return rr;
  }
  measure_idle_server(*server, rr);
  auto lag = std::make_shared<loop_lag_probe>(io.context());
  boost::asio::post(io.context(), [lag] { lag->start(); });

  // -- calls, step by step --
  auto hang_up = std::make_shared<std::atomic<bool>>(false);
  std::atomic<int> failed{0};
  int started = 0;
  const call_starter start_call{o,     io.context(), port,         tls,     token,
                                calls, *clips,       plan.total_s, hang_up, failed};
  int failed_before = 0;
  for (int target : plan.targets) {
    start_calls(start_call, started, target, o.start_rate);
    step_result s = measure_window(target, plan.window_s, calls.sink, *lag, *server, metrics, rr);
    if (record_step(std::move(s), failed.load(), failed_before, *server, o, rr))
      break;
  }
  if (rr.stop_reason.empty())
    rr.stop_reason = o.ramp ? "reached the ramp's maximum" : "duration reached";

  // -- hang up, collect --
  hang_up_and_settle(*hang_up, calls, started);
  lag->stop();
  collect_calls(calls, started, rr);
  server->stop();
  (*peer)->stop();
  io.stop();
  return rr;
}

} // namespace sb::bench
