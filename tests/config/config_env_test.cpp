// config: environment overrides over the file, and the refusals of bad input
// (file parsing and defaults: config_test.cpp).
#include "config/config.hpp"

#include "config_support.hpp"

#define BOOST_TEST_MODULE config_env
#include <boost/test/unit_test.hpp>

#include <string>

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
