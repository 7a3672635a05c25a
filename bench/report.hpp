#pragma once
// The benchmark's outputs: JSON for machines (bench/results/*.json, the
// plot) and a few lines for people.

#include "bench/load_harness.hpp"

#include <string>

namespace sb::bench {

std::string to_json(const run_result& r);
std::string summary_text(const run_result& r);
/// One row per step for gnuplot (bench/plot.gp): calls, latency
/// percentiles in ms, server CPU and memory, harness CPU.
std::string to_dat(const run_result& r);

} // namespace sb::bench
