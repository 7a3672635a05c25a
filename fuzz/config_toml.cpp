// config.toml as a user writes it (config/config.hpp): anything that is not
// a valid configuration is a config_error with a message, never a crash or
// another exception.
#include "common/log.hpp"
#include "config/config.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool quiet = (sb::log::set_level(sb::log::level::off), true);
  (void)quiet;
  std::string_view text{reinterpret_cast<const char*>(data), size};
  try {
    (void)sb::parse_config(text, "fuzz.toml", [](const char*) -> const char* { return nullptr; });
  } catch (const sb::config_error&) {
  }
  return 0;
}
