// The environment's overrides of config.toml: secrets come only from here.
#include "config/reading.hpp"

#include <charconv>
#include <cstdlib>

namespace sb {

env_lookup process_env() {
  return [](const char* name) -> const char* { return std::getenv(name); };
}

namespace config_detail {

namespace {

bool truthy(std::string_view v) {
  return v == "1" || v == "true" || v == "yes" || v == "on" || v == "TRUE";
}

} // namespace

void apply_env(config& cfg, const env_lookup& env) {
  auto get = [&](const char* name) -> const char* {
    const char* v = env(name);
    return (v != nullptr && *v != '\0') ? v : nullptr;
  };
  if (const char* v = get("PORT")) {
    unsigned port = 0;
    std::string_view s{v};
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), port);
    if (ec != std::errc{} || p != s.data() + s.size() || port > 65535)
      throw config_error{"environment: PORT: expected a port number 0-65535"};
    cfg.server.port = static_cast<uint16_t>(port);
  }
  if (const char* v = get("SERVER_PUBLIC_URL"))
    cfg.server.public_url = v;
  if (const char* v = get("SWITCHBOARD_NODE_URL"))
    cfg.cluster.node_url = v;
  if (const char* v = get("TWILIO_ACCOUNT_SID"))
    cfg.twilio.account_sid = v;
  if (const char* v = get("TWILIO_AUTH_TOKEN"))
    cfg.twilio.auth_token = v;
  if (const char* v = get("OPENAI_API_KEY"))
    cfg.openai.api_key = v;
  if (const char* v = get("OPENAI_REALTIME_URL"))
    cfg.openai.realtime_url = v;
  if (const char* v = get("SWITCHBOARD_DB"))
    cfg.storage.path = v;
  // A postgresql:// URL with its password kept out of the config file.
  if (const char* v = get("SWITCHBOARD_DATABASE_URL"))
    cfg.storage.path = v;
  if (const char* v = get("SWITCHBOARD_CONSOLE_TOKEN"))
    cfg.console.token = v;
  if (const char* v = get("DEBUG_REALTIME"))
    cfg.debug.realtime = truthy(v);
  if (const char* v = get("DEBUG_TWILIO"))
    cfg.debug.twilio = truthy(v);
  if (const char* v = get("SWITCHBOARD_TEST_FAULTS"))
    cfg.debug.test_faults = truthy(v);
  if (const char* v = get("SWITCHBOARD_LOG_FORMAT"); v && !log::parse_format(v, cfg.log.format))
    throw config_error{"environment: SWITCHBOARD_LOG_FORMAT: expected text or json"};
}

} // namespace config_detail

} // namespace sb
