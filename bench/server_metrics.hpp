#pragma once
// The server's own /metrics, read by the benches over plain HTTP on
// loopback: what the server itself measured, beside what the harness did.

#include <cstdint>
#include <string>
#include <vector>

namespace sb::bench {

/// Sends `request` to 127.0.0.1:`port` and reads until the server closes
/// (5 s bound per read); the whole response, "" when nothing came.
std::string http_exchange(uint16_t port, const std::string& request);

/// One direction of switchboard_relay_latency_seconds (relay/media_relay.cpp:
/// a frame's arrival in the server -> its copy handed to the other leg's
/// socket), cumulative bucket counts as Prometheus gives them.
struct relay_latency_buckets {
  std::vector<double> le_s;   ///< upper bounds, seconds; the last is +Inf
  std::vector<double> counts; ///< cumulative
  bool ok = false;
};

/// Both directions, from GET /metrics with the console's bearer token
/// (nothing read, both not ok, when `bearer` is empty).
struct relay_latency_scrape {
  relay_latency_buckets upstream, downstream; ///< caller_to_openai, openai_to_caller
};
relay_latency_scrape scrape_relay_latency(uint16_t port, const std::string& bearer);

/// The upper bound (ms) of the bucket holding quantile q of what was
/// observed between two scrapes; -1 if nothing was, +inf past the last bound.
double bucket_quantile_ms(const relay_latency_buckets& before, const relay_latency_buckets& after,
                          double q);

} // namespace sb::bench
