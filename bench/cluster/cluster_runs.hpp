#pragma once
// The two runs of switchboard-cluster-bench, on a cluster already started
// and calls already set up (cluster_bench.cpp puts them together).

#include "bench/cluster/cluster_bench.hpp"
#include "common/result.hpp"

#include <memory>

namespace sb::bench {

struct cluster_nodes;
struct call_pool;

/// Fills `calls`, waits one longest call, measures a window, hangs up,
/// stops the nodes and reads the database.
status run_load_phase(const cluster_options& o, cluster_nodes& c,
                      const std::shared_ptr<call_pool>& calls, load_result& r);

/// Fills `calls` on the first node, kills it, times the takeover.
status run_takeover_phase(const cluster_options& o, cluster_nodes& c,
                          const std::shared_ptr<call_pool>& calls, takeover_result& r);

} // namespace sb::bench
