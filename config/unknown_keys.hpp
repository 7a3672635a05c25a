#pragma once
// Keys in a config file that the parser does not read (config/config.cpp's
// own helper; toml++ stays out of config.hpp).

#include <toml++/toml.h>

#include <string_view>

namespace sb {

/// A key the parser does not read is most likely a typo (`[openai] modle`)
/// whose setting silently does nothing: logs a warning for each, naming its
/// path ("openai.modle") and the nearest known key when one is close.
void warn_unknown_keys(const toml::table& tbl, std::string_view source);

} // namespace sb
