#pragma once
// The servers of a cluster bench run: the database (an SQLite file in the
// work dir, or a throwaway PostgreSQL: bench/pg_server.hpp), one or two
// `switchboard serve` children on it, each with its node_id and its own
// node_url for Media Streams, and HAProxy in front of two (webhooks).

#include "bench/cluster/cluster_bench.hpp"
#include "bench/lb_process.hpp"
#include "bench/pg_server.hpp"
#include "bench/server_process.hpp"
#include "common/result.hpp"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace sb::bench {

inline const std::string cluster_public_url = "https://switchboard.cluster-bench.invalid";
inline const std::string cluster_business_number = "+15551230000";

struct cluster_nodes {
  std::filesystem::path dir;
  std::unique_ptr<pg_database> pg; ///< postgres only
  std::string db;                  ///< the SQLite path or the PostgreSQL URL
  std::string token;               ///< TWILIO_AUTH_TOKEN
  std::vector<uint16_t> ports;
  std::vector<uint16_t> metrics_ports; ///< each node's own /metrics listener
  std::vector<server_process> servers;
  lb_process lb;
  uint16_t front = 0; ///< where Twilio's webhooks go: the balancer, or the one node

  static std::string node_id(std::size_t k) { return "node-" + std::to_string(k + 1); }
  std::vector<pid_t> pids() const;
  std::string node_url(std::size_t k) const {
    return "http://127.0.0.1:" + std::to_string(ports[k]);
  }
};

/// Starts the database, adds the bench tenant, starts every node and the
/// balancer; the nodes' Realtime API is `realtime_url`.
status start_cluster(cluster_nodes& c, const cluster_options& o, const std::string& realtime_url);

/// Stops the balancer and every node still running (SIGTERM).
void stop_cluster(cluster_nodes& c);

} // namespace sb::bench
