#pragma once
// Internal to config/: reading typed values out of the TOML table, and the
// steps parse_config() (config.cpp) takes: the sections read
// (sections.cpp), the environment's overrides (env.cpp), the values checked
// (validate.cpp). toml++ stays out of config.hpp.

#include "config/config.hpp"

#include <toml++/toml.h>

#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace sb::config_detail {

// -- reading typed values -----------------------------------------------------

/// Throws config_error "source: key: why".
[[noreturn]] void fail(std::string_view source, std::string_view key, std::string_view why);

template <class T>
void read_value(const toml::table& tbl, std::string_view section, std::string_view key, T& out,
                std::string_view source) {
  const toml::node* sec = tbl.get(section);
  if (sec == nullptr)
    return;
  const toml::node* n = sec->as_table() ? sec->as_table()->get(key) : nullptr;
  if (n == nullptr)
    return;
  std::string full = std::string{section} + "." + std::string{key};
  if constexpr (std::is_same_v<T, std::string>) {
    if (!n->is_string())
      fail(source, full, "expected a string");
    out = n->as_string()->get();
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!n->is_boolean())
      fail(source, full, "expected true or false");
    out = n->as_boolean()->get();
  } else if constexpr (std::is_same_v<T, double>) {
    if (n->is_integer())
      out = static_cast<double>(n->as_integer()->get());
    else if (n->is_floating_point())
      out = n->as_floating_point()->get();
    else
      fail(source, full, "expected a number");
  } else if constexpr (std::is_same_v<T, log::format>) {
    if (!n->is_string() || !log::parse_format(n->as_string()->get(), out))
      fail(source, full, "expected \"text\" or \"json\"");
  } else if constexpr (std::is_same_v<T, milliseconds>) {
    if (!n->is_integer() || n->as_integer()->get() < 0)
      fail(source, full, "expected a non-negative integer (milliseconds)");
    out = milliseconds{n->as_integer()->get()};
  } else {
    static_assert(std::is_integral_v<T>);
    if (!n->is_integer())
      fail(source, full, "expected an integer");
    auto v = n->as_integer()->get();
    if (v < 0 || static_cast<uint64_t>(v) > std::numeric_limits<T>::max())
      fail(source, full, "out of range");
    out = static_cast<T>(v);
  }
}

// -- the keys the parser knows --------------------------------------------------

/// Reads keys into a config and records the path of every key it is asked
/// for: run over an empty table, it lists the keys the parser knows
/// (known_config_keys()), so that list cannot drift from the reading code.
class key_reader {
public:
  key_reader(const toml::table& tbl, std::string_view source) : tbl_(tbl), source_(source) {}

  template <class T> void operator()(std::string_view section, std::string_view key, T& out) {
    keys_.push_back(std::string{section} + "." + std::string{key});
    read_value(tbl_, section, key, out, source_);
  }

  std::vector<std::string> keys() && { return std::move(keys_); }

private:
  const toml::table& tbl_;
  std::string_view source_;
  std::vector<std::string> keys_;
};

// -- the steps of parse_config() --

/// Every section, in one place: parse_config() and known_config_keys() both
/// read through here (sections.cpp).
void read_sections(key_reader& read, config& cfg);
/// The environment's values over the file's (env.cpp): secrets, the port,
/// the URLs and the debug switches.
void apply_env(config& cfg, const env_lookup& env);
/// Values the types allow but the server cannot use (validate.cpp).
void validate(const config& cfg, std::string_view source);

} // namespace sb::config_detail
