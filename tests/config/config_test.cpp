#include "config/config.hpp"

#define BOOST_TEST_MODULE config
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include <unistd.h>

namespace {

using namespace std::chrono_literals;

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

const fake_env empty_env;

sb::config parse(std::string_view toml, const fake_env& env = empty_env) {
  return sb::parse_config(toml, "test.toml", env.lookup());
}

/// The config_error message of parsing `toml` with `env` ("" if none thrown).
std::string error_of(std::string_view toml, const fake_env& env = empty_env) {
  try {
    parse(toml, env);
  } catch (const sb::config_error& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& s, std::string_view part) {
  return s.find(part) != std::string::npos;
}

} // namespace

BOOST_AUTO_TEST_SUITE(defaults)

BOOST_AUTO_TEST_CASE(empty_file_gives_documented_defaults) {
  auto c = parse("");
  BOOST_TEST(c.server.bind_address == "0.0.0.0");
  BOOST_TEST(c.server.port == 3000);
  BOOST_TEST(c.server.public_url == "http://localhost:3000");
  BOOST_TEST(c.server.tls_cert.empty());
  BOOST_TEST(c.server.max_header_bytes == 8192u);
  BOOST_TEST(c.server.max_body_bytes == 65536u);
  BOOST_TEST(c.server.read_timeout.count() == 10000);
  BOOST_TEST(c.twilio.validate_signatures);
  BOOST_TEST(c.twilio.auth_token.empty());
  BOOST_TEST(c.twilio.stream_attach_timeout.count() == 15000);
  BOOST_TEST(c.twilio.rest_base_url == "https://api.twilio.com");
  BOOST_TEST(c.twilio.rest_timeout.count() == 10000);
  BOOST_TEST(c.twilio.rest_ca_file.empty());
  BOOST_TEST(c.openai.realtime_url == "wss://api.openai.com/v1/realtime?model=gpt-realtime");
  BOOST_TEST(c.openai.api_key.empty());
  BOOST_TEST(c.storage.path == "switchboard.db");
  BOOST_TEST(!c.debug.realtime);
  BOOST_TEST(!c.debug.twilio);
}

BOOST_AUTO_TEST_CASE(no_path_loads_defaults_without_a_file) {
  auto c = sb::load_config("", empty_env.lookup());
  BOOST_TEST(c.server.port == 3000);
  BOOST_TEST(c.storage.path == "switchboard.db");
}

BOOST_AUTO_TEST_CASE(committed_config_toml_parses_and_matches_the_defaults) {
  auto c = sb::load_config(std::string{SB_SOURCE_DIR} + "/config.toml", empty_env.lookup());
  const sb::config d;
  BOOST_TEST(c.server.bind_address == d.server.bind_address);
  BOOST_TEST(c.server.port == d.server.port);
  BOOST_TEST(c.server.public_url == d.server.public_url);
  BOOST_TEST(c.server.max_header_bytes == d.server.max_header_bytes);
  BOOST_TEST(c.server.max_body_bytes == d.server.max_body_bytes);
  BOOST_TEST(c.server.read_timeout.count() == d.server.read_timeout.count());
  BOOST_TEST(c.server.shutdown_grace.count() == d.server.shutdown_grace.count());
  BOOST_TEST(c.twilio.validate_signatures == d.twilio.validate_signatures);
  BOOST_TEST(c.twilio.max_frame_bytes == d.twilio.max_frame_bytes);
  BOOST_TEST(c.twilio.stream_attach_timeout.count() == d.twilio.stream_attach_timeout.count());
  BOOST_TEST(c.twilio.rest_base_url == d.twilio.rest_base_url);
  BOOST_TEST(c.twilio.rest_timeout.count() == d.twilio.rest_timeout.count());
  BOOST_TEST(c.openai.realtime_url == d.openai.realtime_url);
  BOOST_TEST(c.openai.voice == d.openai.voice);
  BOOST_TEST(c.openai.vad_threshold == d.openai.vad_threshold);
  BOOST_TEST(c.openai.max_reconnects == d.openai.max_reconnects);
  BOOST_TEST(c.openai.silence.count() == d.openai.silence.count());
  BOOST_TEST(c.twilio.max_queued_bytes == d.twilio.max_queued_bytes);
  BOOST_TEST(c.storage.path == d.storage.path);
  BOOST_TEST(c.notifier.max_attempts == d.notifier.max_attempts);
  BOOST_TEST(c.notifier.max_backoff.count() == d.notifier.max_backoff.count());
  BOOST_TEST(c.tools.ack_after.count() == d.tools.ack_after.count());
  BOOST_TEST(c.health.openai_failures == d.health.openai_failures);
  BOOST_TEST(c.health.storage_failures == d.health.storage_failures);
  BOOST_TEST(c.health.storage_window.count() == d.health.storage_window.count());
  BOOST_TEST(c.health.outbox_pending == d.health.outbox_pending);
  BOOST_TEST(c.health.outbox_max_age.count() == d.health.outbox_max_age.count());
  BOOST_TEST(c.prices.audio_output == d.prices.audio_output);
  BOOST_TEST(c.prices.audio_input_cached == d.prices.audio_input_cached);
  BOOST_TEST(c.debug.realtime == d.debug.realtime);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(sections)

/// Every key of every section, each checked by the test below.
constexpr const char* every_key_toml = R"(
[server]
bind_address = "127.0.0.1"
port = 8443
public_url = "https://voice.example.com"
tls_cert = "/c.pem"
tls_key = "/k.pem"
max_header_bytes = 4096
max_body_bytes = 1000
read_timeout_ms = 1234
shutdown_grace_ms = 2345
io_threads = 3
[twilio]
account_sid = "AC123"
validate_signatures = false
max_frame_bytes = 777
max_queued_bytes = 88888
stream_attach_timeout_ms = 3456
rest_base_url = "http://127.0.0.1:4010"
rest_timeout_ms = 4567
rest_ca_file = "/rest-ca.pem"
[openai]
realtime_url = "ws://127.0.0.1:9999/v1/realtime"
model = "gpt-x"
ca_file = "/ca.pem"
voice = "cedar"
transcription_model = "gpt-4o-transcribe"
vad_threshold = 0.7
vad_prefix_padding_ms = 111
vad_silence_duration_ms = 222
connect_timeout_ms = 333
max_reconnects = 2
reconnect_backoff_ms = 44
max_frame_bytes = 5555
silence_ms = 666
[storage]
path = "/var/lib/sb.db"
[notifier]
poll_interval_ms = 10
max_attempts = 3
initial_backoff_ms = 20
max_backoff_ms = 30
request_timeout_ms = 40
ca_file = "/n.pem"
[tools]
timeout_ms = 50
ack_after_ms = 60
slot_minutes = 30
check_availability_delay_ms = 70
[health]
openai_failures = 5
storage_failures = 6
storage_window_ms = 7000
outbox_pending = 8
outbox_max_age_ms = 9000
[prices]
audio_input = 1
audio_input_cached = 2.5
audio_output = 3.5
text_input = 4.5
text_input_cached = 0.75
text_output = 5.5
[console]
metrics_own_port = true
metrics_port = 9100
[debug]
realtime = true
twilio = true
)";

BOOST_AUTO_TEST_CASE(every_section_is_parsed) {
  auto c = parse(every_key_toml);
  BOOST_TEST(c.server.bind_address == "127.0.0.1");
  BOOST_TEST(c.server.port == 8443);
  BOOST_TEST(c.server.public_url == "https://voice.example.com");
  BOOST_TEST(c.server.tls_cert == "/c.pem");
  BOOST_TEST(c.server.tls_key == "/k.pem");
  BOOST_TEST(c.server.max_header_bytes == 4096u);
  BOOST_TEST(c.server.max_body_bytes == 1000u);
  BOOST_TEST(c.server.read_timeout.count() == 1234);
  BOOST_TEST(c.server.shutdown_grace.count() == 2345);
  BOOST_TEST(c.server.io_threads == 3);
  BOOST_TEST(c.twilio.account_sid == "AC123");
  BOOST_TEST(!c.twilio.validate_signatures);
  BOOST_TEST(c.twilio.max_frame_bytes == 777u);
  BOOST_TEST(c.twilio.stream_attach_timeout.count() == 3456);
  BOOST_TEST(c.twilio.rest_base_url == "http://127.0.0.1:4010");
  BOOST_TEST(c.twilio.rest_timeout.count() == 4567);
  BOOST_TEST(c.twilio.rest_ca_file == "/rest-ca.pem");
  BOOST_TEST(c.openai.realtime_url == "ws://127.0.0.1:9999/v1/realtime");
  BOOST_TEST(c.openai.model == "gpt-x");
  BOOST_TEST(c.openai.ca_file == "/ca.pem");
  BOOST_TEST(c.openai.voice == "cedar");
  BOOST_TEST(c.openai.transcription_model == "gpt-4o-transcribe");
  BOOST_TEST(c.openai.vad_threshold == 0.7);
  BOOST_TEST(c.openai.vad_prefix_padding_ms == 111);
  BOOST_TEST(c.openai.vad_silence_duration_ms == 222);
  BOOST_TEST(c.openai.connect_timeout.count() == 333);
  BOOST_TEST(c.openai.max_reconnects == 2);
  BOOST_TEST(c.openai.reconnect_backoff.count() == 44);
  BOOST_TEST(c.openai.max_frame_bytes == 5555u);
  BOOST_TEST(c.openai.silence.count() == 666);
  BOOST_TEST(c.twilio.max_queued_bytes == 88888u);
  BOOST_TEST(c.storage.path == "/var/lib/sb.db");
  BOOST_TEST(c.notifier.poll_interval.count() == 10);
  BOOST_TEST(c.notifier.max_attempts == 3);
  BOOST_TEST(c.notifier.initial_backoff.count() == 20);
  BOOST_TEST(c.notifier.max_backoff.count() == 30);
  BOOST_TEST(c.notifier.request_timeout.count() == 40);
  BOOST_TEST(c.notifier.ca_file == "/n.pem");
  BOOST_TEST(c.tools.timeout.count() == 50);
  BOOST_TEST(c.tools.ack_after.count() == 60);
  BOOST_TEST(c.tools.slot_minutes == 30);
  BOOST_TEST(c.tools.check_availability_delay.count() == 70);
  BOOST_TEST(c.health.openai_failures == 5);
  BOOST_TEST(c.health.storage_failures == 6);
  BOOST_TEST(c.health.storage_window.count() == 7000);
  BOOST_TEST(c.health.outbox_pending == 8);
  BOOST_TEST(c.health.outbox_max_age.count() == 9000);
  BOOST_TEST(c.prices.audio_input == 1.0); // an integer is accepted for a price
  BOOST_TEST(c.prices.audio_input_cached == 2.5);
  BOOST_TEST(c.prices.audio_output == 3.5);
  BOOST_TEST(c.prices.text_input == 4.5);
  BOOST_TEST(c.prices.text_input_cached == 0.75);
  BOOST_TEST(c.prices.text_output == 5.5);
  BOOST_TEST(c.console.metrics_own_port);
  BOOST_TEST(c.console.metrics_port == 9100);
  BOOST_TEST(c.debug.realtime);
  BOOST_TEST(c.debug.twilio);
}

BOOST_AUTO_TEST_CASE(loads_a_file_from_disk) {
  auto path = std::filesystem::temp_directory_path() /
              ("sb-config-test-" + std::to_string(::getpid()) + ".toml");
  {
    std::ofstream out{path};
    out << "[server]\nport = 4321\n";
  }
  auto c = sb::load_config(path.string(), empty_env.lookup());
  std::filesystem::remove(path);
  BOOST_TEST(c.server.port == 4321);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(environment)

BOOST_AUTO_TEST_CASE(every_override_applies_over_the_file) {
  fake_env env;
  env.vars = {{"PORT", "8081"},
              {"SERVER_PUBLIC_URL", "https://env.example.com"},
              {"TWILIO_ACCOUNT_SID", "ACenv"},
              {"TWILIO_AUTH_TOKEN", "tok-env"},
              {"OPENAI_API_KEY", "sk-env"},
              {"OPENAI_REALTIME_URL", "wss://rt.example.com/v1/realtime"},
              {"SWITCHBOARD_DB", "/tmp/env.db"},
              {"SWITCHBOARD_CONSOLE_TOKEN", "console-env"},
              {"DEBUG_REALTIME", "1"},
              {"DEBUG_TWILIO", "true"}};
  auto c = parse(R"(
[server]
port = 1111
public_url = "http://file.example.com"
[twilio]
account_sid = "ACfile"
[openai]
realtime_url = "wss://file.example.com/rt"
[storage]
path = "file.db"
[debug]
realtime = false
twilio = false
)",
                 env);
  BOOST_TEST(c.server.port == 8081);
  BOOST_TEST(c.server.public_url == "https://env.example.com");
  BOOST_TEST(c.twilio.account_sid == "ACenv");
  BOOST_TEST(c.twilio.auth_token == "tok-env");
  BOOST_TEST(c.openai.api_key == "sk-env");
  BOOST_TEST(c.openai.realtime_url == "wss://rt.example.com/v1/realtime");
  BOOST_TEST(c.storage.path == "/tmp/env.db");
  BOOST_TEST(c.console.token == "console-env");
  BOOST_TEST(c.debug.realtime);
  BOOST_TEST(c.debug.twilio);
}

BOOST_AUTO_TEST_CASE(a_database_url_comes_from_the_file_or_the_environment) {
  fake_env none;
  auto from_file = parse(R"(
[storage]
path = "postgresql://sb@db.example/switchboard"
)",
                         none);
  BOOST_TEST(from_file.storage.path == "postgresql://sb@db.example/switchboard");
  fake_env env;
  env.vars = {{"SWITCHBOARD_DB", "/tmp/env.db"},
              {"SWITCHBOARD_DATABASE_URL", "postgresql://sb:pw@db.example/switchboard"}};
  auto from_env = parse("[storage]\npath = \"file.db\"\n", env);
  BOOST_TEST(from_env.storage.path == "postgresql://sb:pw@db.example/switchboard");
}

BOOST_AUTO_TEST_CASE(debug_flags_read_false_words_as_off) {
  fake_env env;
  env.vars = {{"DEBUG_REALTIME", "0"}, {"DEBUG_TWILIO", "no"}};
  auto c = parse("[debug]\nrealtime = true\ntwilio = true\n", env);
  BOOST_TEST(!c.debug.realtime);
  BOOST_TEST(!c.debug.twilio);
}

BOOST_AUTO_TEST_CASE(test_faults_only_from_the_environment) {
  fake_env env;
  BOOST_TEST(!parse("", env).debug.test_faults); // off unless asked for
  env.vars = {{"SWITCHBOARD_TEST_FAULTS", "1"}};
  BOOST_TEST(parse("", env).debug.test_faults);
}

BOOST_AUTO_TEST_CASE(empty_variables_do_not_override) {
  fake_env env;
  env.vars = {{"PORT", ""}, {"SWITCHBOARD_DB", ""}};
  auto c = parse("[server]\nport = 1234\n[storage]\npath = \"keep.db\"\n", env);
  BOOST_TEST(c.server.port == 1234);
  BOOST_TEST(c.storage.path == "keep.db");
}

BOOST_AUTO_TEST_CASE(port_zero_is_accepted_for_an_ephemeral_port) {
  fake_env env;
  env.vars = {{"PORT", "0"}};
  BOOST_TEST(parse("", env).server.port == 0);
}

BOOST_AUTO_TEST_CASE(rejects_a_bad_port_variable) {
  for (const char* bad : {"abc", "70000", "-1", "80x", "65536"}) {
    fake_env env;
    env.vars = {{"PORT", bad}};
    auto msg = error_of("", env);
    BOOST_TEST_INFO("PORT=" << bad);
    BOOST_TEST(contains(msg, "PORT"));
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(refusals)

BOOST_AUTO_TEST_CASE(refuses_secrets_in_the_file_and_names_the_variable) {
  struct secret_case {
    const char* toml;
    const char* env_var;
  };
  for (const auto& [toml, env_var] :
       {secret_case{"[twilio]\nauth_token = \"s3cr3t-value\"\n", "TWILIO_AUTH_TOKEN"},
        secret_case{"[openai]\napi_key = \"s3cr3t-value\"\n", "OPENAI_API_KEY"},
        secret_case{"[console]\ntoken = \"s3cr3t-value\"\n", "SWITCHBOARD_CONSOLE_TOKEN"}}) {
    auto msg = error_of(toml);
    BOOST_TEST_INFO(toml);
    BOOST_TEST(contains(msg, env_var));
    BOOST_TEST(contains(msg, "test.toml"));
    BOOST_TEST(!contains(msg, "s3cr3t-value")); // the secret itself is never echoed
  }
}

BOOST_AUTO_TEST_CASE(malformed_toml_names_file_line_and_column) {
  auto msg = error_of("[server]\nport = 3000\nbind_address = \n");
  BOOST_TEST(msg.rfind("test.toml:3:", 0) == 0, "message: " << msg);
  auto unclosed = error_of("[server\n");
  BOOST_TEST(unclosed.rfind("test.toml:1:", 0) == 0, "message: " << unclosed);
}

BOOST_AUTO_TEST_CASE(wrong_types_name_the_key) {
  BOOST_TEST(contains(error_of("[server]\nport = \"3000\"\n"), "server.port"));
  BOOST_TEST(contains(error_of("[server]\npublic_url = 42\n"), "server.public_url"));
  BOOST_TEST(contains(error_of("[twilio]\nvalidate_signatures = \"yes\"\n"),
                      "twilio.validate_signatures"));
  BOOST_TEST(contains(error_of("[openai]\nvad_threshold = \"high\"\n"), "openai.vad_threshold"));
  BOOST_TEST(contains(error_of("[server]\nread_timeout_ms = -5\n"), "server.read_timeout_ms"));
  BOOST_TEST(contains(error_of("[server]\nport = 70000\n"), "server.port"));
}

BOOST_AUTO_TEST_CASE(rejects_invalid_values) {
  BOOST_TEST(contains(error_of("[server]\npublic_url = \"ftp://x\"\n"), "server.public_url"));
  BOOST_TEST(contains(error_of("[openai]\nrealtime_url = \"https://x\"\n"), "openai.realtime_url"));
  BOOST_TEST(contains(error_of("[server]\ntls_cert = \"/c.pem\"\n"), "tls_key"));
  BOOST_TEST(contains(error_of("[server]\nio_threads = 0\n"), "server.io_threads"));
  BOOST_TEST(contains(error_of("[openai]\nsilence_ms = 50\n"), "openai.silence_ms"));
  BOOST_TEST(error_of("[openai]\nsilence_ms = 0\n") == ""); // the watchdog off
  BOOST_TEST(contains(error_of("[twilio]\nmax_queued_bytes = 1000\n"), "twilio.max_queued_bytes"));
  // The REST API's requests carry the auth token: plain HTTP only to loopback.
  BOOST_TEST(contains(error_of("[twilio]\nrest_base_url = \"http://api.twilio.com\"\n"),
                      "twilio.rest_base_url"));
  BOOST_TEST(contains(error_of("[twilio]\nrest_base_url = \"http://127.0.0.1.evil.example\"\n"),
                      "twilio.rest_base_url"));
  BOOST_TEST(
      contains(error_of("[twilio]\nrest_base_url = \"api.twilio.com\"\n"), "twilio.rest_base_url"));
  BOOST_TEST(error_of("[twilio]\nrest_base_url = \"http://localhost:8080/\"\n") == "");
  fake_env env;
  env.vars = {{"SERVER_PUBLIC_URL", "voice.example.com"}};
  BOOST_TEST(contains(error_of("", env), "server.public_url"));
}

BOOST_AUTO_TEST_CASE(missing_file_names_the_path) {
  try {
    sb::load_config("/nonexistent/dir/sb.toml", empty_env.lookup());
    BOOST_FAIL("no error for a missing file");
  } catch (const sb::config_error& e) {
    BOOST_TEST(contains(e.what(), "/nonexistent/dir/sb.toml"));
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(derived_urls)

BOOST_AUTO_TEST_CASE(stream_url_uses_wss_for_https) {
  fake_env env;
  env.vars = {{"SERVER_PUBLIC_URL", "https://voice.example.com"}};
  BOOST_TEST(parse("", env).stream_url() == "wss://voice.example.com/realtime-stream");
}

BOOST_AUTO_TEST_CASE(stream_url_uses_ws_for_http_and_keeps_the_port) {
  fake_env env;
  env.vars = {{"SERVER_PUBLIC_URL", "http://localhost:3000"}};
  BOOST_TEST(parse("", env).stream_url() == "ws://localhost:3000/realtime-stream");
}

BOOST_AUTO_TEST_CASE(trailing_slashes_do_not_double) {
  fake_env env;
  env.vars = {{"SERVER_PUBLIC_URL", "https://voice.example.com//"}};
  auto c = parse("", env);
  BOOST_TEST(c.stream_url() == "wss://voice.example.com/realtime-stream");
  BOOST_TEST(c.inbound_webhook_url() ==
             "https://voice.example.com/telephony/realtime-inbound-voice");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(log_format_is_text_or_json_and_the_environment_wins) {
  BOOST_TEST((parse("").log.format == sb::log::format::text));
  BOOST_TEST((parse("[log]\nformat = \"json\"\n").log.format == sb::log::format::json));
  fake_env env;
  env.vars = {{"SWITCHBOARD_LOG_FORMAT", "json"}};
  BOOST_TEST((parse("", env).log.format == sb::log::format::json));
  env.vars = {{"SWITCHBOARD_LOG_FORMAT", "text"}};
  BOOST_TEST((parse("[log]\nformat = \"json\"\n", env).log.format == sb::log::format::text));

  BOOST_TEST(contains(error_of("[log]\nformat = \"xml\"\n"), "log.format"));
  BOOST_TEST(contains(error_of("[log]\nformat = 1\n"), "expected \"text\" or \"json\""));
  env.vars = {{"SWITCHBOARD_LOG_FORMAT", "JSON"}};
  BOOST_TEST(contains(error_of("", env), "SWITCHBOARD_LOG_FORMAT"));
}
