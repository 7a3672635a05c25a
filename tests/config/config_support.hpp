#pragma once
// The config tests' helpers: a fake environment, and parsing a TOML text
// with it (config_test.cpp, config_env_test.cpp).

#include "config/config.hpp"

#include <map>
#include <string>
#include <string_view>

namespace sb::test {

/// A fake environment: only the variables a test sets exist.
struct fake_env {
  std::map<std::string, std::string> vars;
  sb::env_lookup lookup() const {
    return [this](const char* name) -> const char* {
      auto it = vars.find(name);
      return it == vars.end() ? nullptr : it->second.c_str();
    };
  }
};

inline const fake_env empty_env;

inline sb::config parse(std::string_view toml, const fake_env& env = empty_env) {
  return sb::parse_config(toml, "test.toml", env.lookup());
}

/// The config_error message of parsing `toml` with `env` ("" if none thrown).
inline std::string error_of(std::string_view toml, const fake_env& env = empty_env) {
  try {
    parse(toml, env);
  } catch (const sb::config_error& e) {
    return e.what();
  }
  return "";
}

inline bool contains(const std::string& s, std::string_view part) {
  return s.find(part) != std::string::npos;
}

} // namespace sb::test

// For the test files' brevity (this header is theirs only).
using namespace std::chrono_literals;
using sb::test::contains;
using sb::test::empty_env;
using sb::test::error_of;
using sb::test::fake_env;
using sb::test::parse;
