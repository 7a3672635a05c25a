// The checks of a parsed config: values its types allow but the server
// cannot use are refused with the key and the reason.
#include "config/reading.hpp"

#include <cctype>

namespace sb::config_detail {

namespace {

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

} // namespace

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

} // namespace sb::config_detail
