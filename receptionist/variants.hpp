#pragma once
// A/B variants (issue 17.2): which variant a call gets, what it changes, and
// the confidence interval its booking rate is reported with.

#include "storage/records.hpp"
#include "storage/report.hpp"

#include <cstdint>
#include <string_view>
#include <vector>

namespace sb::receptionist {

/// 64-bit FNV-1a (Fowler, Noll, Vo; IETF draft-eastlake-fnv): stable across
/// builds, platforms and restarts, unlike std::hash, so a call's variant
/// can be recomputed from its CallSid alone.
uint64_t fnv1a64(std::string_view s);

/// The variant a call gets: FNV-1a of the CallSid modulo the sum of the
/// weights, walked along the variants in order. nullptr when there are none.
/// The same CallSid (a retried webhook) always gets the same variant while
/// the tenant's variants are unchanged.
const storage::variant* pick_variant(std::string_view call_sid,
                                     const std::vector<storage::variant>& variants);

/// The tenant as the call with variant `v` sees it: v's voice and greeting
/// where set, v's instructions after the tenant's context.
storage::tenant with_variant(const storage::tenant& t, const storage::variant& v);

struct interval {
  double low = 0, high = 0;
};

/// The Wilson score interval for k successes in n trials (E. B. Wilson,
/// "Probable inference, the law of succession, and statistical inference",
/// JASA 22 (1927) 209-212): unlike the normal approximation it stays in
/// [0, 1] and is sound for small n and rates near 0 or 1. z = 1.96: 95%.
/// n = 0 gives [0, 1].
interval wilson_interval(int k, int n, double z = 1.96);

/// One variant's rates and means, from its sums (store::variant_report):
/// what `report --by variant` prints and the console's Variants page shows,
/// computed here once for both. Means over no calls are 0.
struct variant_figures {
  double booking_rate = 0;
  interval booking_ci95; ///< wilson_interval(booked, calls)
  double mean_duration_s = 0;
  int64_t mean_latency_ms = -1; ///< -1: no measured turn
  double barge_ins_per_call = 0;
  double cost_per_call_usd = 0;
};
variant_figures figures_of(const storage::variant_outcome& o);

} // namespace sb::receptionist
