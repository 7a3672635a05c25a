// The real `switchboard` binary, run as an operator would: help, the data
// commands on a temp database, exit codes, and `serve` stopped by SIGTERM.
#define BOOST_TEST_MODULE app_cli
#include <boost/test/unit_test.hpp>

#include "tests/app/app_fixture.hpp"

#include <rapidjson/document.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace {

using namespace sb::app::test;

struct run_result {
  int exit_code = -1; ///< -1: killed after the deadline
  std::string out;
  std::string err;
};

std::string read_file(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// A child `switchboard` process with stdout/stderr in files, run in `cwd`
/// (a temp dir, so no ./config.toml is picked up) with the test's
/// environment minus every variable the binary reads, plus `env`.
class child {
public:
  child(const std::vector<std::string>& args, const std::vector<std::string>& env,
        const temp_dir& dir)
      : out_(dir.file("stdout.txt")), err_(dir.file("stderr.txt")) {
    std::vector<std::string> argv_s{SB_SWITCHBOARD_BIN};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<std::string> env_s;
    for (char** e = environ; *e != nullptr; ++e) {
      std::string kv{*e};
      bool ours = false;
      for (const char* name : {"PORT=", "SERVER_PUBLIC_URL=", "TWILIO_", "OPENAI_", "SWITCHBOARD_",
                               "DEBUG_REALTIME=", "DEBUG_TWILIO="})
        ours = ours || kv.rfind(name, 0) == 0;
      if (!ours)
        env_s.push_back(kv);
    }
    env_s.insert(env_s.end(), env.begin(), env.end());
    std::vector<char*> argv, envp;
    for (auto& a : argv_s)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto& e : env_s)
      envp.push_back(e.data());
    envp.push_back(nullptr);
    std::string cwd = dir.file("");
    int out_fd = ::open(out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err_fd = ::open(err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    BOOST_REQUIRE(out_fd >= 0 && err_fd >= 0);
    pid_ = ::fork();
    BOOST_REQUIRE(pid_ >= 0);
    if (pid_ == 0) { // only async-signal-safe calls until exec
      ::dup2(out_fd, 1);
      ::dup2(err_fd, 2);
      int null_fd = ::open("/dev/null", O_RDONLY);
      ::dup2(null_fd, 0);
      if (::chdir(cwd.c_str()) != 0)
        ::_exit(126);
      ::execve(argv[0], argv.data(), envp.data());
      ::_exit(127);
    }
    ::close(out_fd);
    ::close(err_fd);
  }
  ~child() {
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }

  pid_t pid() const { return pid_; }
  std::string out() const { return read_file(out_); }

  /// Waits for the exit; kills the child after `timeout` (exit_code -1).
  run_result wait(std::chrono::milliseconds timeout = 15s) {
    run_result r;
    int status = 0;
    bool done = eventually([&] { return ::waitpid(pid_, &status, WNOHANG) == pid_; }, timeout);
    if (!done) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
    } else if (WIFEXITED(status)) {
      r.exit_code = WEXITSTATUS(status);
    } else {
      r.exit_code = 128 + WTERMSIG(status);
    }
    reaped_ = true;
    r.out = read_file(out_);
    r.err = read_file(err_);
    return r;
  }

private:
  std::string out_, err_;
  pid_t pid_ = -1;
  bool reaped_ = false;
};

/// A temp dir with a database path for the child.
struct cli_env {
  temp_dir dir;
  std::string db = dir.file("cli.db");

  run_result run(const std::vector<std::string>& args, std::vector<std::string> env = {}) {
    env.push_back("SWITCHBOARD_DB=" + db);
    env.push_back("SWITCHBOARD_LOG_LEVEL=off");
    child c{args, env, dir};
    return c.wait();
  }
};

bool contains(const std::string& s, std::string_view part) {
  return s.find(part) != std::string::npos;
}

int lines_in(const std::string& s) {
  return static_cast<int>(std::count(s.begin(), s.end(), '\n'));
}

} // namespace

BOOST_AUTO_TEST_SUITE(help)

BOOST_AUTO_TEST_CASE(top_level_help_lists_the_subcommands) {
  cli_env e;
  auto r = e.run({"--help"});
  BOOST_TEST(r.exit_code == 0);
  for (const char* sub : {"serve", "demo", "tenants", "calls", "jobs"})
    BOOST_TEST(contains(r.out, sub), sub);
}

BOOST_AUTO_TEST_CASE(demo_lists_its_scenarios_and_refuses_an_unknown_one) {
  cli_env e;
  auto list = e.run({"demo", "--list"});
  BOOST_TEST(list.exit_code == 0);
  for (const char* name : {"booking", "transfer", "transfer-noanswer", "dtmf", "voicemail", "busy",
                           "idle", "barge-in"})
    BOOST_TEST(contains(list.out, std::string{"  "} + name + " "), name);
  auto unknown = e.run({"demo", "--scenario", "no-such-thing"});
  BOOST_TEST(unknown.exit_code == 2);
  BOOST_TEST(contains(unknown.err, "no scenario named 'no-such-thing'"), unknown.err);
  BOOST_TEST(contains(unknown.err, "booking"));
}

BOOST_AUTO_TEST_CASE(every_subcommand_has_help) {
  cli_env e;
  std::vector<std::vector<std::string>> commands{{"serve"},
                                                 {"demo"},
                                                 {"tenants"},
                                                 {"tenants", "add"},
                                                 {"tenants", "list"},
                                                 {"tenants", "remove"},
                                                 {"calls"},
                                                 {"calls", "list"},
                                                 {"jobs"},
                                                 {"jobs", "list"},
                                                 {"jobs", "show"}};
  for (auto args : commands) {
    std::string name = args.size() == 1 ? args[0] : args[0] + " " + args[1];
    args.push_back("--help");
    auto r = e.run(args);
    BOOST_TEST_INFO(name);
    BOOST_TEST(r.exit_code == 0);
    BOOST_TEST_INFO(name);
    BOOST_TEST((contains(r.out, "Usage") || contains(r.out, "Options")));
  }
  BOOST_TEST(contains(e.run({"tenants", "add", "--help"}).out, "--number"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(data_commands)

BOOST_AUTO_TEST_CASE(tenants_add_list_remove) {
  cli_env e;
  auto empty = e.run({"tenants", "list"});
  BOOST_TEST(empty.exit_code == 0);
  BOOST_TEST(contains(empty.out, "no tenants"));
  auto add = e.run({"tenants", "add", "--number", "+15551230000", "--name", "Acme Plumbing"});
  BOOST_TEST(add.exit_code == 0, add.err);
  auto list = e.run({"tenants", "list"});
  BOOST_TEST(list.exit_code == 0);
  BOOST_TEST(contains(list.out, "+15551230000"));
  BOOST_TEST(contains(list.out, "Acme Plumbing"));
  auto dup = e.run({"tenants", "add", "--number", "+15551230000", "--name", "Again"});
  BOOST_TEST(dup.exit_code == 1);
  auto remove = e.run({"tenants", "remove", "--number", "+15551230000"});
  BOOST_TEST(remove.exit_code == 0, remove.err);
  BOOST_TEST(contains(e.run({"tenants", "list"}).out, "no tenants"));
  auto again = e.run({"tenants", "remove", "--number", "+15551230000"});
  BOOST_TEST(again.exit_code == 1);
  BOOST_TEST(contains(again.err, "+15551230000"));
}

BOOST_AUTO_TEST_CASE(jobs_and_calls_list_on_an_empty_database) {
  cli_env e;
  auto jobs = e.run({"jobs", "list"});
  BOOST_TEST(jobs.exit_code == 0, jobs.err);
  BOOST_TEST(contains(jobs.out, "no jobs"));
  auto calls = e.run({"calls", "list"});
  BOOST_TEST(calls.exit_code == 0, calls.err);
  BOOST_TEST(contains(calls.out, "no calls"));
}

BOOST_AUTO_TEST_CASE(bad_e164_number_exits_2_with_one_line) {
  cli_env e;
  auto r = e.run({"tenants", "add", "--number", "555-1234", "--name", "Acme"});
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(lines_in(r.err) == 1, r.err);
  BOOST_TEST(contains(r.err, "E.164"));
  BOOST_TEST(contains(e.run({"tenants", "list"}).out, "no tenants"));
}

BOOST_AUTO_TEST_CASE(unwritable_database_exits_1) {
  cli_env e;
  child c{{"tenants", "list"}, {"SWITCHBOARD_DB=/proc/nope/x.db"}, e.dir};
  auto r = c.wait();
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(contains(r.err, "/proc/nope/x.db"), r.err);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(config_errors)

BOOST_AUTO_TEST_CASE(malformed_config_exits_2_naming_the_file) {
  cli_env e;
  std::string path = e.dir.file("broken.toml");
  std::ofstream{path} << "[server\nport = \n";
  auto r = e.run({"--config", path, "tenants", "list"});
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(contains(r.err, "broken.toml"), r.err);
  auto serve = e.run({"--config", path, "serve"});
  BOOST_TEST(serve.exit_code == 2);
  BOOST_TEST(contains(serve.err, "broken.toml"), serve.err);
}

BOOST_AUTO_TEST_CASE(missing_config_file_exits_2) {
  cli_env e;
  std::string path = e.dir.file("absent.toml");
  auto r = e.run({"--config", path, "jobs", "list"});
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(contains(r.err, "absent.toml"), r.err);
}

BOOST_AUTO_TEST_CASE(secret_in_config_exits_2_naming_the_variable) {
  cli_env e;
  std::string path = e.dir.file("secret.toml");
  std::ofstream{path} << "[twilio]\nauth_token = \"abc\"\n";
  auto r = e.run({"--config", path, "tenants", "list"});
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(contains(r.err, "TWILIO_AUTH_TOKEN"), r.err);
}

BOOST_AUTO_TEST_CASE(unknown_config_key_is_a_warning_naming_it) {
  cli_env e;
  std::string path = e.dir.file("typo.toml");
  std::ofstream{path} << "[openai]\nmodle = \"gpt-x\"\n";
  child c{{"--config", path, "tenants", "list"}, {"SWITCHBOARD_DB=" + e.db}, e.dir};
  auto r = c.wait();
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(contains(r.out, "no tenants"));
  BOOST_TEST(contains(r.err, "WARN"), r.err);
  BOOST_TEST(contains(r.err, "typo.toml: unknown key openai.modle ignored (did you mean "
                             "openai.model?)"),
             r.err);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(serve)

BOOST_AUTO_TEST_CASE(serve_prints_the_webhook_url_and_stops_on_sigterm) {
  cli_env e;
  uint16_t port = closed_port();
  child c{{"serve"},
          {"SWITCHBOARD_DB=" + e.db, "SWITCHBOARD_LOG_LEVEL=off", "PORT=" + std::to_string(port),
           "SERVER_PUBLIC_URL=https://x.test",
           "OPENAI_REALTIME_URL=ws://127.0.0.1:" + std::to_string(closed_port()) + "/"},
          e.dir};
  const std::string webhook = "https://x.test/telephony/realtime-inbound-voice";
  bool banner = eventually([&] { return contains(c.out(), webhook); }, 15s);
  BOOST_TEST(banner, "stdout: " << c.out());
  if (banner) {
    // It really listens on PORT.
    sb::net::io_runtime io{1};
    auto p = std::make_shared<std::promise<sb::net::http_client_result>>();
    auto f = p->get_future();
    sb::net::http_client_request req;
    req.method = "GET";
    req.url = "http://127.0.0.1:" + std::to_string(port) + "/telephony/realtime-health";
    sb::net::http_send(io.context(), req, [p](sb::net::http_client_result r) { p->set_value(r); });
    BOOST_REQUIRE(f.wait_for(10s) == std::future_status::ready);
    BOOST_TEST(f.get().status == 200);
  }
  ::kill(c.pid(), SIGTERM);
  auto t0 = std::chrono::steady_clock::now();
  auto r = c.wait(15s);
  BOOST_TEST(r.exit_code == 0, "stderr: " << r.err);
  BOOST_TEST((std::chrono::steady_clock::now() - t0 < 15s));
}

BOOST_AUTO_TEST_CASE(serve_with_log_format_json_writes_one_object_per_line) {
  cli_env e;
  std::string path = e.dir.file("json.toml");
  std::ofstream{path} << "[log]\nformat = \"json\"\n";
  child c{{"--config", path, "serve"},
          {"SWITCHBOARD_DB=" + e.db, "SWITCHBOARD_LOG_LEVEL=info", "PORT=0",
           "SERVER_PUBLIC_URL=https://x.test",
           "OPENAI_REALTIME_URL=ws://127.0.0.1:" + std::to_string(closed_port()) + "/"},
          e.dir};
  BOOST_TEST(eventually([&] { return contains(c.out(), "realtime-inbound-voice"); }, 15s));
  ::kill(c.pid(), SIGTERM);
  auto r = c.wait(15s);
  BOOST_TEST(r.exit_code == 0, "stderr: " << r.err);
  std::istringstream lines{r.err};
  int n = 0;
  bool stopping = false;
  for (std::string l; std::getline(lines, l); ++n) {
    BOOST_TEST_INFO("line: " << l);
    rapidjson::Document d;
    d.Parse(l.data(), l.size());
    BOOST_REQUIRE((!d.HasParseError() && d.IsObject()));
    for (const char* key : {"ts", "level", "component", "message"})
      BOOST_TEST((d.HasMember(key) && d[key].IsString()));
    stopping = stopping || std::string{d["message"].GetString()} == "Received SIGTERM: stopping";
  }
  BOOST_TEST(n > 0);
  BOOST_TEST(stopping, r.err);
}

BOOST_AUTO_TEST_SUITE_END()
