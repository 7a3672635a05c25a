// parse_config() and load_config(): the TOML text parsed, its secrets
// refused, its sections read, the environment applied, the result checked.
#include "config/config.hpp"

#include "config/reading.hpp"
#include "config/unknown_keys.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace sb {

namespace config_detail {

[[noreturn]] void fail(std::string_view source, std::string_view key, std::string_view why) {
  std::string msg{source};
  msg += ": ";
  msg += key;
  msg += ": ";
  msg += why;
  throw config_error{msg};
}

} // namespace config_detail

namespace {

using namespace config_detail;

void refuse_secret(const toml::table& tbl, std::string_view section, std::string_view key,
                   std::string_view env_name, std::string_view source) {
  if (const auto* sec = tbl.get_as<toml::table>(section); sec && sec->contains(key))
    fail(source, std::string{section} + "." + std::string{key},
         "secrets are read only from the environment; set " + std::string{env_name} +
             " and remove this key");
}

} // namespace

const std::vector<std::string>& known_config_keys() {
  static const std::vector<std::string> keys = [] {
    const toml::table empty;
    key_reader reader{empty, "defaults"};
    config unused;
    read_sections(reader, unused);
    auto k = std::move(reader).keys();
    std::sort(k.begin(), k.end());
    return k;
  }();
  return keys;
}

config parse_config(std::string_view toml_text, std::string_view source, const env_lookup& env) {
  config cfg;
  toml::table tbl;
  try {
    tbl = toml::parse(toml_text, source);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << source << ":" << e.source().begin.line << ":" << e.source().begin.column << ": "
        << e.description();
    throw config_error{msg.str()};
  }
  refuse_secret(tbl, "twilio", "auth_token", "TWILIO_AUTH_TOKEN", source);
  refuse_secret(tbl, "openai", "api_key", "OPENAI_API_KEY", source);
  refuse_secret(tbl, "console", "token", "SWITCHBOARD_CONSOLE_TOKEN", source);

  warn_unknown_keys(tbl, source);
  key_reader reader{tbl, source};
  read_sections(reader, cfg);

  apply_env(cfg, env);
  validate(cfg, source);
  return cfg;
}

config load_config(const std::string& path, const env_lookup& env) {
  if (path.empty())
    return parse_config("", "defaults", env);
  std::ifstream in{path, std::ios::binary};
  if (!in)
    throw config_error{path + ": cannot open the config file"};
  std::stringstream buf;
  buf << in.rdbuf();
  return parse_config(buf.str(), path, env);
}

} // namespace sb
