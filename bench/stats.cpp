#include "bench/stats.hpp"

#include <algorithm>
#include <bit>
#include <cstdio>

namespace sb::bench {

int histogram::index_of(int64_t us) {
  if (us < linear_limit)
    return static_cast<int>(std::max<int64_t>(us, 0));
  // Octave o holds [1024 * 2^o, 1024 * 2^(o+1)), split in sub_buckets.
  const auto v = static_cast<uint64_t>(us);
  const int octave = std::bit_width(v) - 1 - 10; // 2^10 == linear_limit
  if (octave >= octaves)
    return bucket_count - 1;
  const int sub =
      static_cast<int>((v >> (octave + 10 - 6)) & (sub_buckets - 1)); // 2^6 == sub_buckets
  return linear_limit + octave * sub_buckets + sub;
}

int64_t histogram::value_of(int index) {
  if (index < linear_limit)
    return index;
  const int octave = (index - linear_limit) / sub_buckets;
  const int sub = (index - linear_limit) % sub_buckets;
  const int64_t base = int64_t{linear_limit} << octave;
  return base + (base / sub_buckets) * (sub + 1) - 1;
}

void histogram::add(int64_t us) {
  us = std::max<int64_t>(us, 0);
  ++buckets_[static_cast<std::size_t>(index_of(us))];
  ++count_;
  max_ = std::max(max_, us);
}

void histogram::merge(const histogram& other) {
  for (std::size_t i = 0; i < buckets_.size(); ++i)
    buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  max_ = std::max(max_, other.max_);
}

int64_t histogram::quantile(double q) const {
  if (count_ == 0)
    return 0;
  const auto target = static_cast<int64_t>(q * static_cast<double>(count_) + 0.999999);
  int64_t seen = 0;
  for (int i = 0; i < bucket_count; ++i) {
    seen += buckets_[static_cast<std::size_t>(i)];
    if (seen >= std::max<int64_t>(target, 1))
      return std::min(value_of(i), max_); // never report above the true max
  }
  return max_;
}

percentiles histogram::summary() const {
  return {count_, quantile(0.50), quantile(0.95), quantile(0.99), max_};
}

std::string format_ms(const percentiles& p) {
  char buf[128];
  std::snprintf(buf, sizeof buf, "p50 %.2f / p95 %.2f / p99 %.2f / max %.2f ms",
                static_cast<double>(p.p50_us) / 1000.0, static_cast<double>(p.p95_us) / 1000.0,
                static_cast<double>(p.p99_us) / 1000.0, static_cast<double>(p.max_us) / 1000.0);
  return buf;
}

} // namespace sb::bench
