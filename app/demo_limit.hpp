#pragma once
// The cluster demo's limit check (issue 16.4): how many of one business's
// calls were admitted at the same instant, read back from the database.
//
// A call counts from its answer (the Media Stream started: after the
// webhook admitted it) to its end as stored: both inside the time its
// admission was held (taken at the webhook, given back once the call was
// finalized), so the most calls overlapping here is never more than were
// admitted at once. A call whose node died ends at its last stored activity
// (actors/finalizer.cpp), earlier still.

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace sb::app::demo {

/// One admitted call: [from_ms, to_ms] (wall clock), the node it was on.
struct admitted_span {
  int64_t from_ms = 0;
  int64_t to_ms = 0;
  std::string node;
};

/// The instant most spans held (spans that touch share the instant).
struct overlap_peak {
  std::size_t count = 0;
  int64_t at_ms = 0;
  std::map<std::string, int> by_node; ///< the spans held then, per node
};

/// The first instant at which the most spans overlap; count 0 for none.
overlap_peak busiest_instant(const std::vector<admitted_span>& spans);

/// What the limit check found for one business: "" when at most `limit`
/// of its calls were admitted at once and at least one caller was refused
/// (the limit bit), else what went wrong, with the peak's figures.
std::string judge_limit(const std::string& business, int limit, std::size_t rang,
                        std::size_t refused, const overlap_peak& peak, int64_t t0_ms);

} // namespace sb::app::demo
