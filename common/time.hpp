#pragma once
// Wall-clock and monotonic time in the units the project stores.

#include <cstdint>
#include <string>

namespace sb {

/// Milliseconds since the Unix epoch (wall clock; what SQLite stores).
int64_t now_ms();

/// Microseconds from a monotonic clock (for latency measurements).
int64_t mono_us();

/// "2026-11-27T12:00:00.123Z".
std::string iso8601_utc(int64_t epoch_ms);

} // namespace sb
