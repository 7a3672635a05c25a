// The load run's set-up: plan, result header, TLS material, the server.
#include "bench/load_setup.hpp"

#include "bench/bench_setup.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>

namespace sb::bench::load {

run_plan plan_run(const harness_options& o) {
  run_plan p;
  if (o.ramp)
    for (int n = o.ramp_start; n <= o.ramp_max; n += std::max(1, o.ramp_step))
      p.targets.push_back(n);
  else
    p.targets.push_back(o.calls);
  p.max_calls = p.targets.back();
  p.window_s = o.ramp ? o.step_s : o.duration_s;
  p.total_s = static_cast<int>(p.targets.size()) * (p.window_s + 15) +
              p.max_calls / std::max(1, o.start_rate) + 30;
  p.turns = p.total_s / 4 + 8; // a turn takes ~6-9 s: never run out before the hang-up
  return p;
}

run_result new_run_result(const harness_options& o, const run_start& start) {
  run_result rr;
  rr.options = o;
  rr.date_utc = start.machine.date_utc;
  rr.cpu_model = start.machine.cpu_model;
  rr.cpus = start.machine.cpus;
  rr.mem_total_kib = start.machine.mem_total_kib;
  rr.fd_limit = start.fd_limit; // inherited by the server we start
  rr.error = start.error;
  return rr;
}

tls_material make_tls_material(const harness_options& o, const fs::path& dir,
                               sim::peer_options& po) {
  tls_material m;
  if (o.tls || o.twilio_tls)
    m.ca = net::make_test_ca("Switchboard bench CA");
  if (o.tls) {
    auto cert = net::make_server_cert(*m.ca, {"localhost"}, {"127.0.0.1"});
    po.tls_cert_pem = cert.cert_pem;
    po.tls_key_pem = cert.key_pem;
    m.ca_file = (dir / "bench-ca.pem").string();
    std::ofstream{m.ca_file} << m.ca->cert_pem;
  }
  if (o.twilio_tls) {
    auto cert = net::make_server_cert(*m.ca, {"localhost"}, {"127.0.0.1"});
    m.server_cert_file = (dir / "server-cert.pem").string();
    m.server_key_file = (dir / "server-key.pem").string();
    std::ofstream{m.server_cert_file} << cert.cert_pem;
    std::ofstream{m.server_key_file} << cert.key_pem;
  }
  return m;
}

result<server_process> start_server(const harness_options& o, const fs::path& dir,
                                    const tls_material& tls, const std::string& realtime_url,
                                    uint16_t port, const std::string& token,
                                    const std::string& console_token) {
  const std::string config_path = (dir / "config.toml").string();
  std::ofstream{config_path} << server_config_toml(tls.ca_file, o.server_io_threads,
                                                   tls.server_cert_file, tls.server_key_file);
  env_list env = {
      {"PORT", std::to_string(port)},        {"SERVER_PUBLIC_URL", public_url},
      {"TWILIO_AUTH_TOKEN", token},          {"OPENAI_REALTIME_URL", realtime_url},
      {"OPENAI_API_KEY", "bench-dummy-key"}, {"SWITCHBOARD_DB", (dir / "bench.db").string()},
      {"SWITCHBOARD_LOG_LEVEL", o.log_level}};
  if (!console_token.empty())
    env.emplace_back("SWITCHBOARD_CONSOLE_TOKEN", console_token);
  // Experiments on the server alone (bench/tools/nodelay_preload.c).
  if (const char* preload = std::getenv("BENCH_SERVER_LD_PRELOAD"))
    env.emplace_back("LD_PRELOAD", preload);
  const std::string log_path = (dir / "server.log").string();
  if (!add_bench_tenant(o.switchboard_bin, config_path, business_number, env, log_path))
    return error{"tenant", "switchboard tenants add failed; see " + log_path};
  return server_process::start(o.switchboard_bin, config_path, env, port, log_path);
}

} // namespace sb::bench::load
