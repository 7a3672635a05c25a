#include "config/config.hpp"

#include "config/unknown_keys.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace sb {

namespace {

// -- reading typed values -----------------------------------------------------

[[noreturn]] void fail(std::string_view source, std::string_view key, std::string_view why) {
  std::string msg{source};
  msg += ": ";
  msg += key;
  msg += ": ";
  msg += why;
  throw config_error{msg};
}

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

void refuse_secret(const toml::table& tbl, std::string_view section, std::string_view key,
                   std::string_view env_name, std::string_view source) {
  if (const auto* sec = tbl.get_as<toml::table>(section); sec && sec->contains(key))
    fail(source, std::string{section} + "." + std::string{key},
         "secrets are read only from the environment; set " + std::string{env_name} +
             " and remove this key");
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

// -- environment overrides ----------------------------------------------------

bool truthy(std::string_view v) {
  return v == "1" || v == "true" || v == "yes" || v == "on" || v == "TRUE";
}

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

/// The REST API's requests carry the auth token: plain HTTP only on this machine.
bool https_or_loopback_http(std::string_view url) {
  if (url.rfind("https://", 0) == 0)
    return url.size() > 8;
  if (url.rfind("http://", 0) != 0)
    return false;
  std::string_view rest = url.substr(7);
  for (std::string_view host : {"127.0.0.1", "localhost", "[::1]"})
    if (rest.substr(0, host.size()) == host &&
        (rest.size() == host.size() || rest[host.size()] == ':' || rest[host.size()] == '/'))
      return true;
  return false;
}

/// A node id is a name in logs and rows: short, and nothing to escape.
bool valid_node_id(std::string_view id) {
  if (id.empty() || id.size() > 64)
    return false;
  for (char c : id)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-')
      return false;
  return true;
}

void validate(const config& cfg, std::string_view source) {
  const auto& url = cfg.server.public_url;
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
    fail(source, "server.public_url", "must start with http:// or https://");
  const auto& node = cfg.cluster.node_url;
  if (!node.empty() && node.rfind("http://", 0) != 0 && node.rfind("https://", 0) != 0)
    fail(source, "cluster.node_url", "must be empty or start with http:// or https://");
  const auto& rt = cfg.openai.realtime_url;
  if (rt.rfind("ws://", 0) != 0 && rt.rfind("wss://", 0) != 0)
    fail(source, "openai.realtime_url", "must start with ws:// or wss://");
  if (!https_or_loopback_http(cfg.twilio.rest_base_url))
    fail(source, "twilio.rest_base_url",
         "must start with https:// (http:// only to 127.0.0.1, localhost or [::1])");
  if (cfg.server.tls_cert.empty() != cfg.server.tls_key.empty())
    fail(source, "server.tls_cert", "tls_cert and tls_key go together");
  if (cfg.server.io_threads < 1)
    fail(source, "server.io_threads", "must be at least 1");
  if (!valid_node_id(cfg.server.node_id))
    fail(source, "server.node_id", "must be 1-64 characters of A-Z a-z 0-9 . _ -");
  const auto& l = cfg.limits;
  for (auto [key, v] : {std::pair{"limits.max_calls", l.max_calls},
                        std::pair{"limits.tenant_max_concurrent", l.tenant_max_concurrent},
                        std::pair{"limits.tenant_calls_per_minute", l.tenant_calls_per_minute}})
    if (v < 0)
      fail(source, key, "must be 0 (no limit) or more");
  if (cfg.openai.silence.count() != 0 && cfg.openai.silence.count() < 200)
    fail(source, "openai.silence_ms", "must be 0 (off) or at least 200");
  if (cfg.twilio.max_queued_bytes < 16 * 1024)
    fail(source, "twilio.max_queued_bytes", "must be at least 16384 (a few audio frames)");
  if (cfg.resume.grace.count() < 0)
    fail(source, "resume.grace_ms", "must not be negative");
  // The call-next route waits up to a lease for a silent owner (app/routes.cpp):
  // it must answer well inside Twilio's 15 s webhook timeout.
  if (cfg.cluster.lease.count() < 300 || cfg.cluster.lease.count() > 10'000)
    fail(source, "cluster.lease_ms",
         "must be 300 to 10000 (a node's heartbeat is every third of it)");
  if (cfg.voicemail.max_length_s < 1)
    fail(source, "voicemail.max_length_s", "must be at least 1");
  if (cfg.recording.retention_days < 0)
    fail(source, "recording.retention_days", "must be 0 (kept) or more");
  const auto& x = cfg.transfer;
  if (x.dtmf_digit.size() > 1 ||
      (x.dtmf_digit.size() == 1 &&
       std::string_view{"0123456789*#"}.find(x.dtmf_digit[0]) == std::string_view::npos))
    fail(source, "transfer.dtmf_digit", "must be one of 0-9, * or #, or empty");
  if (x.dial_timeout_s < 5 || x.dial_timeout_s > 600)
    fail(source, "transfer.dial_timeout_s", "must be 5 to 600 (Twilio's range)");
  if (cfg.console.session_idle.count() < 1000 || cfg.console.session_max.count() < 1000)
    fail(source, "console.session_idle_ms", "session_idle_ms and session_max_ms must be >= 1000");
  const auto& st = cfg.storage;
  if (st.retry_initial.count() < 1 || st.retry_max < st.retry_initial)
    fail(source, "storage.retry_initial_ms", "must be at least 1 and no more than retry_max_ms");
  if (st.max_pending_writes < 1)
    fail(source, "storage.max_pending_writes", "must be at least 1");
  if (st.tenant_cache_ttl.count() < 0 || st.tenant_cache_pushed_ttl.count() < 0)
    fail(source, "storage.tenant_cache_ttl_ms",
         "tenant_cache_ttl_ms and tenant_cache_pushed_ttl_ms must be >= 0");
}

} // namespace

std::string_view config::public_base() const {
  std::string_view base = server.public_url;
  while (!base.empty() && base.back() == '/')
    base.remove_suffix(1);
  return base;
}

std::string_view config::node_base() const {
  std::string_view base = cluster.node_url;
  while (!base.empty() && base.back() == '/')
    base.remove_suffix(1);
  return base.empty() ? public_base() : base;
}

std::string config::stream_url() const {
  // Built in one allocation: every answered webhook names this URL.
  std::string_view base = node_base();
  std::string_view scheme;
  if (base.substr(0, 8) == "https://")
    scheme = "wss://", base.remove_prefix(8);
  else if (base.substr(0, 7) == "http://")
    scheme = "ws://", base.remove_prefix(7);
  std::string url;
  url.reserve(scheme.size() + base.size() + twilio.stream_path.size());
  url += scheme;
  url += base;
  url += twilio.stream_path;
  return url;
}

std::string config::inbound_webhook_url() const {
  return std::string(public_base()) + "/telephony/realtime-inbound-voice";
}

std::string config::call_next_url() const {
  return std::string(public_base()) + "/telephony/realtime-call-next";
}

std::string config::recording_status_url() const {
  return std::string(public_base()) + "/telephony/realtime-recording-status";
}

env_lookup process_env() {
  return [](const char* name) -> const char* { return std::getenv(name); };
}

namespace {

// -- the sections (each key documented in config.toml) --

void read_server_and_twilio(key_reader& read, config& cfg) {
  auto& s = cfg.server;
  read("server", "bind_address", s.bind_address);
  read("server", "port", s.port);
  read("server", "public_url", s.public_url);
  read("server", "tls_cert", s.tls_cert);
  read("server", "tls_key", s.tls_key);
  read("server", "max_header_bytes", s.max_header_bytes);
  read("server", "max_body_bytes", s.max_body_bytes);
  read("server", "read_timeout_ms", s.read_timeout);
  read("server", "shutdown_grace_ms", s.shutdown_grace);
  read("server", "io_threads", s.io_threads);
  read("server", "node_id", s.node_id);

  auto& t = cfg.twilio;
  read("twilio", "account_sid", t.account_sid);
  read("twilio", "validate_signatures", t.validate_signatures);
  read("twilio", "max_frame_bytes", t.max_frame_bytes);
  read("twilio", "max_queued_bytes", t.max_queued_bytes);
  read("twilio", "stream_attach_timeout_ms", t.stream_attach_timeout);
  read("twilio", "rest_base_url", t.rest_base_url);
  read("twilio", "rest_timeout_ms", t.rest_timeout);
  read("twilio", "rest_ca_file", t.rest_ca_file);
}

void read_openai(key_reader& read, config& cfg) {
  auto& o = cfg.openai;
  read("openai", "realtime_url", o.realtime_url);
  read("openai", "model", o.model);
  read("openai", "ca_file", o.ca_file);
  read("openai", "voice", o.voice);
  read("openai", "transcription_model", o.transcription_model);
  read("openai", "vad_threshold", o.vad_threshold);
  read("openai", "vad_prefix_padding_ms", o.vad_prefix_padding_ms);
  read("openai", "vad_silence_duration_ms", o.vad_silence_duration_ms);
  read("openai", "connect_timeout_ms", o.connect_timeout);
  read("openai", "max_reconnects", o.max_reconnects);
  read("openai", "reconnect_backoff_ms", o.reconnect_backoff);
  read("openai", "max_frame_bytes", o.max_frame_bytes);
  read("openai", "session_max_ms", o.session_max);
  read("openai", "silence_ms", o.silence);
}

void read_call_and_health(key_reader& read, config& cfg) {
  auto& c = cfg.call;
  read("call", "snapshot_query_ms", c.snapshot_query);
  read("call", "barge_in_query_ms", c.barge_in_query);
  read("call", "replay_query_ms", c.replay_query);
  read("call", "finalize_ms", c.finalize);
  read("call", "analysis_ms", c.analysis);
  read("call", "flush_ms", c.flush);
  read("call", "storage_write_ms", c.storage_write);
  read("call", "tenant_lookup_ms", c.tenant_lookup);
  read("call", "registry_query_ms", c.registry_query);
  read("call", "outbox_query_ms", c.outbox_query);
  read("call", "drain_ms", c.drain);
  read("call", "report_interval_ms", c.report_interval);

  auto& h = cfg.health;
  read("health", "openai_failures", h.openai_failures);
  read("health", "storage_failures", h.storage_failures);
  read("health", "storage_window_ms", h.storage_window);
  read("health", "outbox_pending", h.outbox_pending);
  read("health", "outbox_max_age_ms", h.outbox_max_age);

  auto& l = cfg.limits;
  read("limits", "max_calls", l.max_calls);
  read("limits", "tenant_max_concurrent", l.tenant_max_concurrent);
  read("limits", "tenant_calls_per_minute", l.tenant_calls_per_minute);
  read("limits", "busy_message", l.busy_message);
  read("limits", "over_limit_voicemail", l.over_limit_voicemail);

  auto& t = cfg.timeouts;
  read("timeouts", "max_call_ms", t.max_call);
  read("timeouts", "max_call_warning_ms", t.max_call_warning);
  read("timeouts", "silence_ms", t.silence);

  auto& v = cfg.voicemail;
  read("voicemail", "enabled", v.enabled);
  read("voicemail", "prompt", v.prompt);
  read("voicemail", "max_length_s", v.max_length_s);
  read("voicemail", "goodbye", v.goodbye);

  auto& rec = cfg.recording;
  read("recording", "dir", rec.dir);
  read("recording", "retention_days", rec.retention_days);
  read("recording", "consent", rec.consent);

  read("resume", "grace_ms", cfg.resume.grace);
  read("cluster", "lease_ms", cfg.cluster.lease);
  read("cluster", "node_url", cfg.cluster.node_url);

  auto& x = cfg.transfer;
  read("transfer", "dtmf_digit", x.dtmf_digit);
  read("transfer", "dial_timeout_s", x.dial_timeout_s);
  read("transfer", "message", x.message);
  read("transfer", "digit_gap_ms", x.digit_gap);
  read("transfer", "handover_max_ms", x.handover_max);
}

void read_storage_notifier_tools_prices_console_debug(key_reader& read, config& cfg) {
  read("storage", "path", cfg.storage.path);
  read("storage", "retry_initial_ms", cfg.storage.retry_initial);
  read("storage", "retry_max_ms", cfg.storage.retry_max);
  read("storage", "max_pending_writes", cfg.storage.max_pending_writes);
  read("storage", "tenant_cache_ttl_ms", cfg.storage.tenant_cache_ttl);
  read("storage", "tenant_cache_pushed_ttl_ms", cfg.storage.tenant_cache_pushed_ttl);
  read("storage", "tenant_notify", cfg.storage.tenant_notify);

  auto& n = cfg.notifier;
  read("notifier", "poll_interval_ms", n.poll_interval);
  read("notifier", "max_attempts", n.max_attempts);
  read("notifier", "initial_backoff_ms", n.initial_backoff);
  read("notifier", "max_backoff_ms", n.max_backoff);
  read("notifier", "request_timeout_ms", n.request_timeout);
  read("notifier", "ca_file", n.ca_file);

  read("tools", "timeout_ms", cfg.tools.timeout);
  read("tools", "ack_after_ms", cfg.tools.ack_after);
  read("tools", "slot_minutes", cfg.tools.slot_minutes);
  read("tools", "check_availability_delay_ms", cfg.tools.check_availability_delay);

  auto& p = cfg.prices;
  read("prices", "audio_input", p.audio_input);
  read("prices", "audio_input_cached", p.audio_input_cached);
  read("prices", "audio_output", p.audio_output);
  read("prices", "text_input", p.text_input);
  read("prices", "text_input_cached", p.text_input_cached);
  read("prices", "text_output", p.text_output);

  read("console", "metrics_own_port", cfg.console.metrics_own_port);
  read("console", "metrics_port", cfg.console.metrics_port);
  read("console", "session_idle_ms", cfg.console.session_idle);
  read("console", "session_max_ms", cfg.console.session_max);

  read("debug", "realtime", cfg.debug.realtime);
  read("debug", "twilio", cfg.debug.twilio);
  read("log", "format", cfg.log.format);
}

/// Every section, in one place: parse_config() and known_config_keys() both
/// read through here.
void read_sections(key_reader& read, config& cfg) {
  read_server_and_twilio(read, cfg);
  read_openai(read, cfg);
  read_storage_notifier_tools_prices_console_debug(read, cfg);
  read_call_and_health(read, cfg);
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
