#include "receptionist/variants.hpp"

#include <algorithm>
#include <cmath>

namespace sb::receptionist {

uint64_t fnv1a64(std::string_view s) {
  uint64_t h = 14695981039346656037ull; // FNV-1a 64-bit offset basis
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull; // FNV 64-bit prime
  }
  return h;
}

const storage::variant* pick_variant(std::string_view call_sid,
                                     const std::vector<storage::variant>& variants) {
  uint64_t total = 0;
  for (const auto& v : variants)
    total += static_cast<uint64_t>(std::max(v.weight, 0));
  if (total == 0)
    return nullptr;
  // The modulo's bias is at most total / 2^64: nothing a weight can show.
  uint64_t x = fnv1a64(call_sid) % total;
  for (const auto& v : variants) {
    auto w = static_cast<uint64_t>(std::max(v.weight, 0));
    if (x < w)
      return &v;
    x -= w;
  }
  return nullptr; // not reached
}

storage::tenant with_variant(const storage::tenant& t, const storage::variant& v) {
  storage::tenant out = t;
  if (!v.voice.empty())
    out.voice = v.voice;
  if (!v.greeting.empty())
    out.greeting = v.greeting;
  if (!v.instructions.empty())
    out.context += (out.context.empty() ? "" : " ") + v.instructions;
  return out;
}

interval wilson_interval(int k, int n, double z) {
  if (n <= 0)
    return {0, 1};
  double nn = n, p = k / nn, z2 = z * z;
  double centre = (p + z2 / (2 * nn)) / (1 + z2 / nn);
  double half = z / (1 + z2 / nn) * std::sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn));
  return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

variant_figures figures_of(const storage::variant_outcome& o) {
  double n = o.calls > 0 ? o.calls : 1;
  variant_figures f;
  f.booking_rate = o.booked / n;
  f.booking_ci95 = wilson_interval(o.booked, o.calls);
  f.mean_duration_s = static_cast<double>(o.duration_ms) / n / 1000.0;
  f.mean_latency_ms = o.latency_turns > 0 ? o.latency_sum_ms / o.latency_turns : -1;
  f.barge_ins_per_call = static_cast<double>(o.barge_ins) / n;
  f.cost_per_call_usd = o.cost_usd / n;
  return f;
}

} // namespace sb::receptionist
