#include "bench/cluster/cluster_nodes.hpp"

#include "bench/bench_setup.hpp"
#include "common/time.hpp"

#include <fstream>
#include <thread>

namespace sb::bench {

namespace {

/// The bench's config.toml with this node's id, cluster and resume settings.
std::string node_config(const cluster_options& o, const std::string& node_id,
                        const std::string& node_url, uint16_t metrics_port) {
  std::string t = server_config_toml("", 1);
  const std::string server = "[server]\n";
  t.insert(t.find(server) + server.size(), "node_id = \"" + node_id + "\"\n");
  t += "[cluster]\nlease_ms = " + std::to_string(o.lease_ms) + "\n";
  if (!node_url.empty())
    t += "node_url = \"" + node_url + "\"\n";
  t += "[resume]\ngrace_ms = " + std::to_string(o.grace_ms) + "\n";
  t += "[console]\nmetrics_own_port = true\nmetrics_port = " + std::to_string(metrics_port) + "\n";
  return t;
}

env_list node_env(const cluster_nodes& c, const cluster_options& o, std::size_t k,
                  const std::string& realtime_url) {
  env_list env = {{"PORT", std::to_string(c.ports[k])},  {"SERVER_PUBLIC_URL", cluster_public_url},
                  {"TWILIO_AUTH_TOKEN", c.token},        {"OPENAI_REALTIME_URL", realtime_url},
                  {"OPENAI_API_KEY", "bench-dummy-key"}, {"SWITCHBOARD_DB", c.db},
                  {"SWITCHBOARD_DATABASE_URL", c.db},    {"SWITCHBOARD_LOG_LEVEL", o.log_level}};
  if (o.nodes > 1)
    env.emplace_back("SWITCHBOARD_NODE_URL", c.node_url(k));
  return env;
}

} // namespace

std::vector<pid_t> cluster_nodes::pids() const {
  std::vector<pid_t> v;
  for (const auto& s : servers)
    if (s.pid() > 0)
      v.push_back(s.pid());
  return v;
}

status start_cluster(cluster_nodes& c, const cluster_options& o, const std::string& realtime_url) {
  c.token = "bench-token-" + std::to_string(now_ms());
  if (o.database == "postgres") {
    try {
      c.pg = std::make_unique<pg_database>();
    } catch (const std::exception& e) {
      return error{"postgres", e.what()};
    }
    c.db = c.pg->url();
  } else {
    c.db = (c.dir / "bench.db").string();
  }
  for (int k = 0; k < o.nodes; ++k) {
    c.ports.push_back(free_port());
    c.metrics_ports.push_back(free_port());
  }
  for (std::size_t k = 0; k < c.ports.size(); ++k) {
    const std::string config_path =
        (c.dir / ("config-" + cluster_nodes::node_id(k) + ".toml")).string();
    std::ofstream{config_path} << node_config(o, cluster_nodes::node_id(k),
                                              o.nodes > 1 ? c.node_url(k) : "", c.metrics_ports[k]);
    const auto env = node_env(c, o, k, realtime_url);
    const std::string log_path =
        (c.dir / ("server-" + cluster_nodes::node_id(k) + ".log")).string();
    if (k == 0 &&
        !add_bench_tenant(o.switchboard_bin, config_path, cluster_business_number, env, log_path))
      return error{"tenant", "switchboard tenants add failed; see " + log_path};
    auto s = server_process::start(o.switchboard_bin, config_path, env, c.ports[k], log_path);
    if (!s)
      return s.err();
    c.servers.push_back(std::move(*s));
  }
  c.front = c.ports[0];
  if (o.nodes > 1) {
    std::vector<lb_backend> backends;
    for (std::size_t k = 0; k < c.ports.size(); ++k)
      backends.push_back({cluster_nodes::node_id(k), c.ports[k]});
    c.front = free_port();
    auto lb = lb_process::start(c.dir.string(), c.front, backends);
    if (!lb)
      return lb.err();
    c.lb = std::move(*lb);
    // Every node passes its first health check (every 500 ms: lb_process.hpp).
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
  }
  return ok_status();
}

void stop_cluster(cluster_nodes& c) {
  c.lb.stop();
  for (auto& s : c.servers)
    s.stop();
}

} // namespace sb::bench
