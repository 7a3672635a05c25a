// switchboard-config-keys: how long parse_config takes on a config.toml with
// N unknown keys (each gets a "did you mean" search over the known keys,
// config/unknown_keys.cpp). Usage: switchboard-config-keys [N [REPEATS]];
// prints the median of REPEATS parses, as JSON. Figures: docs/fuzzing.md.
#include "common/log.hpp"
#include "config/config.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 5000;
  const int repeats = std::max(1, argc > 2 ? std::atoi(argv[2]) : 5);
  sb::log::set_level(sb::log::level::off); // one warning per key otherwise
  // Keys as a typo-prone person might write them: near the known keys'
  // lengths, in a known section, so the length filter alone does not skip them.
  std::string text = "[openai]\n";
  for (int i = 0; i < n; ++i)
    text += "unknown_setting_" + std::to_string(i) + " = 1\n";
  std::vector<double> ms;
  for (int r = 0; r < repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    try {
      (void)sb::parse_config(text, "bench.toml",
                             [](const char*) -> const char* { return nullptr; });
    } catch (const sb::config_error& e) {
      std::fprintf(stderr, "config error: %s\n", e.what());
      return 1;
    }
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count());
  }
  std::sort(ms.begin(), ms.end());
  std::printf("{\"unknown_keys\": %d, \"repeats\": %d, \"median_ms\": %.1f}\n", n, repeats,
              ms[ms.size() / 2]);
  return 0;
}
