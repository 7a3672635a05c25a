#pragma once
// The cluster bench's callers (a bench/call_pool.hpp pool) and the
// simulated Realtime peer that answers them.

#include "bench/call_pool.hpp"
#include "common/result.hpp"
#include "sim/realtime_peer.hpp"

#include <memory>
#include <vector>

namespace sb::bench {

/// The scripts for `count` calls of up to `max_s` seconds each (one call in
/// ten makes function calls, one in ten barges in, as in the soak run).
std::vector<sim::call_script> cluster_scripts(int count, int max_s);

/// The peer for `scripts` on `io` (plain ws://).
result<std::shared_ptr<sim::realtime_peer>>
start_cluster_peer(boost::asio::io_context& io, const sim::clip_library& clips,
                   const std::vector<sim::call_script>& scripts);

} // namespace sb::bench
