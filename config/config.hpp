#pragma once
// Switchboard's configuration, parsed once from config.toml (toml++) plus
// environment overrides, into typed structs passed by value (docs/STYLE.md 9).
// Secrets (auth token, API key, console token) come only from the
// environment; a secret found in the TOML file is refused.

#include "common/log.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sb {

using std::chrono::milliseconds;

struct server_config {
  std::string bind_address = "0.0.0.0";
  uint16_t port = 3000; ///< env PORT
  /// The https URL Twilio reaches (env SERVER_PUBLIC_URL). Signatures are
  /// checked against it; the wss:// stream URL is derived from it.
  std::string public_url = "http://localhost:3000";
  std::string tls_cert; ///< PEM chain; with tls_key, the server speaks TLS itself
  std::string tls_key;
  std::size_t max_header_bytes = 8 * 1024;
  std::size_t max_body_bytes = 64 * 1024;
  milliseconds read_timeout{10'000};   ///< a slow client is cut off after this
  milliseconds shutdown_grace{10'000}; ///< calls may wind down this long on SIGTERM
  int io_threads = 1;
  /// This server's name in the database: each call row carries it, and at
  /// start the server finalizes the calls its node left open (server_lost).
  /// Stable across restarts; distinct per server when several share a database.
  std::string node_id = "node-1";
};

struct twilio_config {
  std::string account_sid;         ///< env TWILIO_ACCOUNT_SID
  std::string auth_token;          ///< env TWILIO_AUTH_TOKEN (secret)
  bool validate_signatures = true; ///< off only for local experiments
  std::size_t max_frame_bytes =
      64 * 1024; ///< Media Stream frames larger than this close the stream
  /// A Media Stream peer that stops reading (issue 14.5): once this much of
  /// our audio waits to be written (beyond what the kernel buffers hold), the
  /// stream is closed ("slow peer") and the call ends twilio_socket_lost.
  std::size_t max_queued_bytes = 4 * 1024 * 1024;
  milliseconds stream_attach_timeout{15'000}; ///< webhook answered, no stream: call ends
  std::string stream_path = "/realtime-stream";
  /// Twilio's REST API (docs/protocols.md 6); tests point it at the stand-in.
  /// https://, or http:// to a loopback host only (the auth token travels in it).
  std::string rest_base_url = "https://api.twilio.com";
  milliseconds rest_timeout{10'000}; ///< one REST request, connect to answer
  std::string rest_ca_file;          ///< extra trusted CA (PEM) for rest_base_url (tests)
};

struct openai_config {
  std::string api_key; ///< env OPENAI_API_KEY (secret)
  std::string realtime_url =
      "wss://api.openai.com/v1/realtime?model=gpt-realtime"; ///< env OPENAI_REALTIME_URL
  std::string model = "gpt-realtime";
  std::string ca_file; ///< extra trusted CA (PEM) for the Realtime leg; empty: system store only
  std::string voice = "marin"; ///< default; a tenant may choose its own
  std::string transcription_model = "whisper-1";
  double vad_threshold = 0.5;
  int vad_prefix_padding_ms = 300;
  int vad_silence_duration_ms = 500;
  milliseconds connect_timeout{5'000};
  int max_reconnects = 5;              ///< per call
  milliseconds reconnect_backoff{250}; ///< doubled after each failed attempt
  std::size_t max_frame_bytes = 1024 * 1024;
  /// A connected but silent Realtime socket (issue 14.5): we ping it every
  /// silence/2 (a WebSocket ping, answered by any live peer even while the
  /// caller is silent), and when nothing at all (no event, no pong) has come
  /// for this long the session is replaced as on a drop. 0: never.
  milliseconds silence{8'000};
  /// A Realtime session ends after 60 minutes (docs/protocols.md 3a): after
  /// this long the call moves to a fresh session between turns
  /// (actors/session_recycle.cpp). 0: never.
  milliseconds session_max{55 * 60'000};
};

struct storage_config {
  /// [storage] path: a SQLite file path, or a
  /// postgresql:// URL (storage/db.hpp). Env SWITCHBOARD_DATABASE_URL, then
  /// SWITCHBOARD_DB. A URL's password is never logged (libpq also reads
  /// PGPASSWORD, which keeps it out of the URL).
  std::string path = "switchboard.db";
  /// Writes the database refuses (full, read-only, locked) wait in memory,
  /// retried after a backoff from retry_initial doubling to retry_max.
  milliseconds retry_initial{50};
  milliseconds retry_max{5'000};
  int max_pending_writes = 10'000; ///< above this, still kept; logged as an error
  /// The webhook's tenant cache (actors/tenant_cache.hpp): how long a tenant
  /// is trusted while changes are not pushed (SQLite, or the listener below
  /// is down), and while they are. 0: not cached.
  milliseconds tenant_cache_ttl{2'000};
  milliseconds tenant_cache_pushed_ttl{60'000};
  /// PostgreSQL only: LISTEN for tenant changes made by any client, each
  /// one making the cache forget that tenant (app/tenant_notify.hpp).
  bool tenant_notify = true;
};

struct notifier_config {
  milliseconds poll_interval{1'000};
  int max_attempts = 12;
  milliseconds initial_backoff{1'000}; ///< doubled per failure
  milliseconds max_backoff{300'000};
  milliseconds request_timeout{5'000};
  std::string ca_file; ///< extra trusted CA for push URLs (tests)
};

struct tools_config {
  milliseconds timeout{5'000}; ///< a tool still running after this fails with an error output
  milliseconds ack_after{900}; ///< a tool still running after this gets a spoken acknowledgement
  int slot_minutes = 60;       ///< one booking slot
  /// Extra latency added to check_availability, to rehearse a slow calendar
  /// (tests and demos of the spoken acknowledgement). 0 in production.
  milliseconds check_availability_delay{0};
};

/// How long the actors of the call path wait for each other. Each is a
/// bound on a message round trip that normally takes microseconds: when one
/// expires, something is stuck, and the call carries on without the answer
/// (what it does then is said per key in config.toml).
struct call_config {
  milliseconds snapshot_query{2'000}; ///< supervisor -> transcript: the turn count for a snapshot
  milliseconds barge_in_query{2'000}; ///< supervisor -> twilio socket: what the caller heard
  milliseconds replay_query{
      5'000}; ///< supervisor -> transcript: the turns to replay after a reconnect
  milliseconds finalize{30'000}; ///< supervisor -> finalizer: flush and write the job card
  milliseconds flush{10'000};    ///< finalizer -> transcript: the last turns stored
  /// supervisor -> OpenAI: the post-call analysis answered (0: not asked)
  milliseconds analysis{8'000};
  milliseconds storage_write{15'000}; ///< one write to storage (a turn, the final record)
  milliseconds tenant_lookup{5'000};  ///< registry -> storage: the webhook's tenant
  milliseconds registry_query{5'000}; ///< routes, console, server -> registry
  milliseconds outbox_query{10'000};  ///< notifier -> storage: due notifications
  milliseconds drain{30'000};         ///< server -> registry: every call finalized at shutdown
  milliseconds report_interval{500};  ///< call actors' reports to the console while one is open
  milliseconds report_idle_interval{5'000}; ///< ... while none is (console/introspection.hpp)
};

/// When GET /telephony/realtime-health answers "degraded" with HTTP 503 (so
/// that a load balancer can act), and why: each threshold names one reason.
/// 0 turns that check off.
struct health_config {
  int openai_failures = 3;              ///< the last this many OpenAI handshakes all failed
  int storage_failures = 3;             ///< this many storage writes failed within storage_window
  milliseconds storage_window{60'000};  ///< (the last write failing is enough on its own)
  int outbox_pending = 100;             ///< more notifications than this wait for delivery
  milliseconds outbox_max_age{300'000}; ///< the oldest undelivered notification is older
};

/// How long a call may go on (actors/call_timers.cpp). A tenant's own values
/// (switchboard tenants add --max-call-s / --silence-s) replace these; 0: off.
struct timeouts_config {
  milliseconds max_call{30 * 60'000};    ///< the longest call: then wrapped up and hung up
  milliseconds max_call_warning{60'000}; ///< the caller is told this long before max_call
  /// No caller speech and no assistant audio this long: "are you still
  /// there?"; as long again: a goodbye, and the call ends (caller_silent).
  milliseconds silence{20'000};
};

/// Who may ring through (actors/admission.hpp). 0: no limit. A tenant's own
/// limits (switchboard tenants add --max-concurrent / --calls-per-minute)
/// replace the tenant defaults here. Over a limit the call is not spawned:
/// the caller is offered voicemail (over_limit_voicemail, when [voicemail]
/// is enabled; the refused call is stored so the recording finds its job
/// card), else hears busy_message.
struct limits_config {
  int max_calls = 0;               ///< live calls on this server, all tenants
  int tenant_max_concurrent = 0;   ///< live calls per tenant, unless the tenant sets its own
  int tenant_calls_per_minute = 0; ///< calls admitted per tenant in any 60 s, unless its own
  std::string busy_message =
      "Sorry, all of our lines are busy right now. Please call again in a few minutes. Goodbye.";
  bool over_limit_voicemail = true; ///< over a limit: voicemail rather than busy_message
};

/// The voicemail a caller is offered when the receptionist cannot speak
/// (OpenAI unreachable at set-up, or lost for good mid-call): TwiML <Say> the
/// prompt, <Record> (docs/protocols.md 1), and a job card with the recording.
/// Off: the caller hears the recorded apology and the line hangs up.
struct voicemail_config {
  bool enabled = true;
  std::string prompt = "Sorry, we cannot take your call right now. Please leave your name, "
                       "your number and what you need after the tone, then press the pound key.";
  int max_length_s = 120; ///< <Record maxLength>
  std::string goodbye = "Thank you, we have your message. Goodbye.";
};

/// Recording on our side (issue 17.3): a tenant opts in (tenants add/update
/// --record); each call is then written as a two-channel 8 kHz WAV, caller
/// left, what the caller heard of the assistant right (recording/).
struct recording_config {
  std::string dir;         ///< "": "recordings" next to the database file
  int retention_days = 30; ///< older recordings are deleted (a sweep at start and daily); 0: kept
  /// Said before the tenant's greeting when the tenant records its calls.
  std::string consent = "This call is recorded.";
};

/// A caller picked up again after the stream was lost (issue 14.3,
/// actors/call_resume.hpp): the call is held open this long for Twilio's
/// <Redirect> to bring the caller back; then it is finalized
/// (twilio_socket_lost, server_lost). 0: no resume, finalized at once.
struct resume_config {
  milliseconds grace{30'000};
};

/// Several nodes on one database (issue 16.2, storage/store_nodes.cpp):
/// each node renews its lease every lease_ms / 3; a node silent for longer
/// than lease_ms is presumed dead and a survivor takes over its open calls.
struct cluster_config {
  milliseconds lease{3'000};
  /// This node's own base URL (env SWITCHBOARD_NODE_URL) when several nodes
  /// sit behind a load balancer whose URL is server.public_url: the stream
  /// URL this node answers, and where other nodes send a caller whose call
  /// it holds, are built on it. Requests Twilio signs against it are accepted
  /// too. "": server.public_url (one node).
  std::string node_url;
};

/// Transfer to a person (issue 13): a tenant's transfer number, and
/// whether it takes transfers outside business hours, live in the tenants
/// table; these are the defaults and the mechanics. The caller reaches the
/// number through TwiML <Dial> (docs/protocols.md 6).
struct transfer_config {
  std::string dtmf_digit = "0"; ///< the key that asks for a person; "" : none
  int dial_timeout_s = 20;      ///< <Dial timeout>: seconds the person's phone rings
  /// What the assistant says before the transfer, unless the tenant has its own.
  std::string message = "Of course, I'll put you through to someone now. Please hold.";
  /// Keys other than dtmf_digit are collected until this long without a key
  /// (or '#'), then given to the model as one text item.
  std::chrono::milliseconds digit_gap{1'500};
  /// The hand-over line is taken as played at the latest after this (marks lost).
  std::chrono::milliseconds handover_max{15'000};
};

struct prices_config { ///< USD per 1M tokens, gpt-realtime (docs/protocols.md 4)
  double audio_input = 32.0;
  double audio_input_cached = 0.40;
  double audio_output = 64.0;
  double text_input = 4.0;
  double text_input_cached = 0.40;
  double text_output = 16.0;
};

struct console_config {
  std::string token; ///< env SWITCHBOARD_CONSOLE_TOKEN (secret); empty: console disabled
  /// false: GET /metrics is served on the main port behind the console token
  /// (no token: no /metrics). true: /metrics alone, without authentication, on
  /// its own listener at server.bind_address:metrics_port (for a scraper on
  /// a private network).
  bool metrics_own_port = false;
  uint16_t metrics_port = 9464; ///< with metrics_own_port; 0: an ephemeral port
  /// A session unused this long is over (an open console page keeps its
  /// session in use: it checks it every minute).
  milliseconds session_idle{30 * 60'000};
  /// A session is over this long after its login, used or not.
  milliseconds session_max{12 * 3'600'000};
};

struct debug_config {
  bool realtime = false; ///< env DEBUG_REALTIME: log every Realtime event (audio elided)
  bool twilio = false;   ///< env DEBUG_TWILIO: log every Media Stream event (audio elided)
  /// env SWITCHBOARD_TEST_FAULTS (tests only, never a config.toml key): the
  /// model is offered the __test_crash tool, which crashes one of the call's
  /// actors (receptionist/test_fault.hpp).
  bool test_faults = false;
};

struct log_config {
  /// text: one readable line per event; json: one JSON object per line (ts,
  /// level, component, message; call_sid and tenant when known) for a log
  /// shipper. env SWITCHBOARD_LOG_FORMAT overrides.
  log::format format = log::format::text;
};

struct config {
  server_config server;
  twilio_config twilio;
  openai_config openai;
  storage_config storage;
  notifier_config notifier;
  tools_config tools;
  call_config call;
  health_config health;
  limits_config limits;
  timeouts_config timeouts;
  voicemail_config voicemail;
  recording_config recording;
  resume_config resume;
  cluster_config cluster;
  transfer_config transfer;
  prices_config prices;
  console_config console;
  debug_config debug;
  log_config log;

  /// server.public_url without trailing slashes: what the derived URLs and
  /// the signed request URLs start with.
  std::string_view public_base() const;
  /// cluster.node_url (else server.public_url) without trailing slashes:
  /// this node's own address (its stream URL, its row in the nodes table).
  std::string_view node_base() const;
  /// "wss://HOST/realtime-stream" derived from node_base().
  std::string stream_url() const;
  /// The Voice webhook URL to paste into the Twilio console.
  std::string inbound_webhook_url() const;
  /// Where Twilio goes once a call's stream has ended (the <Redirect> after </Connect>).
  std::string call_next_url() const;
  /// The recording status callback (voicemail).
  std::string recording_status_url() const;
};

/// A config file or environment value that cannot be used. what() is one line
/// naming the key and the problem.
struct config_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Reads an environment variable; nullptr when unset. Tests pass their own.
using env_lookup = std::function<const char*(const char*)>;
env_lookup process_env();

/// Parses TOML text (source names it in errors and warnings), then applies
/// `env`. Throws config_error; warns (log, at warn) about unknown keys.
config parse_config(std::string_view toml_text, std::string_view source, const env_lookup& env);

/// Every key a config file may set, as "section.key", sorted: exactly the
/// keys parse_config() reads (recorded by the reading code itself; the
/// secrets it refuses are not among them). config.toml documents each one
/// (tests/config/config_keys_test.cpp checks both ways). parse_config() logs
/// a warning naming any other key it finds in a file, with the nearest known
/// key when one is close (a typo).
const std::vector<std::string>& known_config_keys();

/// Loads `path` (empty: built-in defaults only), then applies `env`.
/// Throws config_error when the file is missing or malformed.
config load_config(const std::string& path, const env_lookup& env);

} // namespace sb
