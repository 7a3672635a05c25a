#include "bench/cluster/cluster_calls.hpp"

#include "bench/bench_setup.hpp"

namespace sb::bench {

std::vector<sim::call_script> cluster_scripts(int count, int max_s) {
  const int turns = max_s / 4 + 8; // a turn is ~6-9 s: never runs out first
  std::vector<sim::call_script> v;
  for (int i = 0; i < count; ++i)
    v.push_back(bench_script(i, turns, i % 10 == 0, i % 10 == 5));
  return v;
}

result<std::shared_ptr<sim::realtime_peer>>
start_cluster_peer(boost::asio::io_context& io, const sim::clip_library& clips,
                   const std::vector<sim::call_script>& scripts) {
  sim::peer_options po;
  po.clips = clips;
  po.scripts = scripts;
  po.record_client_events = false;
  return sim::realtime_peer::start(io, po);
}

} // namespace sb::bench
