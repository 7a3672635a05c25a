#include "app/demo_limit.hpp"

#include <algorithm>
#include <utility>

namespace sb::app::demo {

overlap_peak busiest_instant(const std::vector<admitted_span>& spans) {
  // A sweep: at equal times starts come first, so touching spans overlap.
  std::vector<std::pair<int64_t, int>> edges; // (time, 0 start / 1 end), span index apart
  for (std::size_t i = 0; i < spans.size(); ++i) {
    edges.push_back({spans[i].from_ms, 0});
    edges.push_back({spans[i].to_ms, 1});
  }
  std::sort(edges.begin(), edges.end());
  overlap_peak peak;
  std::size_t live = 0;
  for (const auto& [t, end] : edges) {
    if (end) {
      --live;
      continue;
    }
    if (++live > peak.count) {
      peak.count = live;
      peak.at_ms = t;
    }
  }
  for (const auto& s : spans)
    if (peak.count > 0 && s.from_ms <= peak.at_ms && peak.at_ms <= s.to_ms)
      ++peak.by_node[s.node];
  return peak;
}

std::string judge_limit(const std::string& business, int limit, std::size_t rang,
                        std::size_t refused, const overlap_peak& peak, int64_t t0_ms) {
  if (peak.count > static_cast<std::size_t>(limit)) {
    std::string nodes;
    for (const auto& [node, n] : peak.by_node)
      nodes += (nodes.empty() ? "" : ", ") + node + ": " + std::to_string(n);
    return "the cluster-wide limit did not hold: " + business + " may have " +
           std::to_string(limit) + " calls at once, yet " + std::to_string(peak.count) +
           " of its calls were admitted at once (" + std::to_string(peak.at_ms - t0_ms) +
           " ms into the run; " + nodes + "); of its " + std::to_string(rang) + " callers " +
           std::to_string(refused) +
           " were refused. Each node counts its own calls (actors/admission.hpp) until the "
           "count is kept in the database";
  }
  if (refused == 0)
    return "the limit never bit: all " + std::to_string(rang) + " callers of " + business +
           " got through (at most " + std::to_string(peak.count) + " at once), none refused";
  return {};
}

} // namespace sb::app::demo
