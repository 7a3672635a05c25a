#pragma once
// Latency distributions for the load benchmark: a log-linear histogram
// (exact below 1 ms, then 64 buckets per power of two, <= 1.6 % error) so
// that millions of samples cost a few KiB and merge by addition.

#include <array>
#include <cstdint>
#include <string>

namespace sb::bench {

/// p50/p95/p99/max of one distribution, in microseconds.
struct percentiles {
  int64_t count = 0;
  int64_t p50_us = 0, p95_us = 0, p99_us = 0, max_us = 0;
};

class histogram {
public:
  /// Records one sample (negative values count as 0).
  void add(int64_t us);
  void merge(const histogram& other);
  int64_t count() const { return count_; }
  int64_t max() const { return max_; }
  /// The smallest recorded bucket value v with at least q of the samples <= v
  /// (q in [0, 1]); 0 when empty.
  int64_t quantile(double q) const;
  percentiles summary() const;
  void clear() { *this = histogram{}; }

private:
  static constexpr int linear_limit = 1024; ///< exact microseconds below this
  static constexpr int sub_buckets = 64;
  static constexpr int octaves = 32;
  static constexpr int bucket_count = linear_limit + octaves * sub_buckets;
  static int index_of(int64_t us);
  static int64_t value_of(int index); ///< the bucket's upper bound

  std::array<uint32_t, bucket_count> buckets_{};
  int64_t count_ = 0;
  int64_t max_ = 0;
};

/// "p50 0.21 / p95 0.40 / p99 0.83 / max 4.10 ms".
std::string format_ms(const percentiles& p);

} // namespace sb::bench
