#pragma once
// Who calls in the cluster demo (app/demo_cluster.hpp), when, and which
// business: the plan of `switchboard demo --scenario cluster --calls N`.

#include "app/demo_scenarios.hpp"
#include "common/result.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace sb::app::demo {

/// The second business, with a concurrency limit (a run of limit_from_calls or more).
inline const std::string limited_number = "+15551230001";
inline constexpr std::size_t limit_from_calls = 10;

/// Who places which call, when, and to which business.
struct cluster_plan {
  std::vector<placed_call> calls;
  std::vector<crash_caller> who;
  std::vector<bool> limited; ///< rings the limited business
  int limit = 0;             ///< its concurrent calls (0: no limited business)
  bool many = false;         ///< more calls than the crash scenario's three
};

/// `n` calls. Three: the crash scenario's, 300 ms apart. More: three waves
/// (100 ms between calls, 600 ms between waves) so that most are live at
/// once; from limit_from_calls on, the middle wave rings a business that
/// may have n / 10 calls at once. Every caller then thinks for a while
/// before giving the time (turn 3), long enough for the last to have given
/// its name on a loaded machine (placing 60 calls took 13 s, not 7, on 2
/// busy cores): the kill finds every admitted call named, none finished.
cluster_plan plan_calls(std::size_t n, const std::string& tomorrow);

/// The limited business: Bright Plumbing's settings under another number.
status add_limited_tenant(const std::string& db_path, int limit);

} // namespace sb::app::demo
