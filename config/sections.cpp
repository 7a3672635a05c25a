// The sections of config.toml, key by key (each key documented there).
#include "config/reading.hpp"

namespace sb::config_detail {

namespace {

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
  read("call", "report_idle_interval_ms", c.report_idle_interval);

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

} // namespace

void read_sections(key_reader& read, config& cfg) {
  read_server_and_twilio(read, cfg);
  read_openai(read, cfg);
  read_storage_notifier_tools_prices_console_debug(read, cfg);
  read_call_and_health(read, cfg);
}

} // namespace sb::config_detail
