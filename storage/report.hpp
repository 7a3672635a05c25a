#pragma once
// What a business learns from its calls, per day or per week (issue 17.5):
// the figures `switchboard report` prints and the console charts.

#include <cstdint>
#include <string>
#include <vector>

namespace sb::storage {

/// A report's buckets. Days and weeks are UTC; a week starts on Monday
/// (ISO 8601) and is named by that Monday's date.
enum class report_period { day, week };

/// One bucket of one tenant's calls (by the call's start time).
struct report_row {
  std::string period; ///< YYYY-MM-DD: the day, or the week's Monday
  int calls = 0;
  int answered = 0;           ///< the assistant took the call (the Media Stream attached)
  int booked = 0;             ///< a job card of kind "call" with a date and time
  int transferred = 0;        ///< put through to a person (a transfer reason)
  int voicemails = 0;         ///< a job card of kind "voicemail"
  int abandoned = 0;          ///< ended before the assistant answered, no voicemail left
  int latency_turns = 0;      ///< assistant turns with a measured latency
  int latency_median_ms = -1; ///< of those turns; -1: none
  int latency_p95_ms = -1;    ///< nearest rank; -1: none
  int64_t tokens = 0;         ///< input + output, text and audio
  double cost_usd = 0;
};

/// One A/B variant's outcomes over a tenant's calls (issue 17.2): sums,
/// so that rates and means are taken by whoever prints them.
struct variant_outcome {
  std::string variant; ///< "" : calls that got no variant
  int calls = 0;
  int booked = 0;
  int transferred = 0;
  int voicemails = 0;
  int64_t duration_ms = 0; ///< start (webhook) to end, summed
  int64_t barge_ins = 0;
  double cost_usd = 0;
  int64_t latency_turns = 0;  ///< assistant turns with a measured latency
  int64_t latency_sum_ms = 0; ///< their latencies, summed
};

/// The nearest-rank percentile (p in (0, 100]) of `values`, which it sorts;
/// -1 for none. Nearest rank: the smallest value with at least p% of the
/// values at or below it, so it is always one of the measured latencies.
int nearest_rank_percentile(std::vector<int>& values, double p);

} // namespace sb::storage
