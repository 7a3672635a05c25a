// switchboard: the single binary. Subcommands: serve, demo, top, tenants, calls, jobs, report,
// variants.

#include "app/admin_commands.hpp"
#include "app/demo.hpp"
#include "app/node_commands.hpp"
#include "app/recording_commands.hpp"
#include "app/report_command.hpp"
#include "app/server.hpp"
#include "app/variant_commands.hpp"
#include "common/log.hpp"
#include "config/config.hpp"
#include "console/top.hpp"

#include <CLI/CLI.hpp>

#include <csignal>
#include <filesystem>
#include <iostream>

namespace {

/// --config given: that file; else ./config.toml if present; else defaults.
sb::config load(const std::string& path) {
  std::string p = path;
  if (p.empty() && std::filesystem::exists("config.toml"))
    p = "config.toml";
  return sb::load_config(p, sb::process_env());
}

int serve(const std::string& config_path) {
  // Block the stop signals before any thread starts, so that only sigwait sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  auto cfg = load(config_path);
  auto srv = sb::app::server::start(std::move(cfg));
  if (!srv) {
    std::cerr << "switchboard: " << srv.err().message << "\n";
    return 1;
  }
  std::cout << (*srv)->banner() << std::flush;
  int sig = 0;
  sigwait(&stop_signals, &sig);
  sb::log::info("Server",
                std::string{"Received "} + (sig == SIGINT ? "SIGINT" : "SIGTERM") + ": stopping");
  (*srv)->shutdown();
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"Switchboard: a realtime voice AI receptionist for a business phone line"};
  app.require_subcommand(1);
  app.fallthrough(); // `switchboard serve --config PATH`: --config after the subcommand too
  std::string config_path;
  app.add_option("--config", config_path,
                 "config.toml to read (default: ./config.toml if present)");
  int exit_code = 0;

  auto* serve_cmd =
      app.add_subcommand("serve", "Run the server (webhooks, Media Streams, OpenAI bridge)");
  auto* demo_cmd =
      app.add_subcommand("demo", "A simulated call on loopback, end to end; no keys, no network");
  sb::app::demo_options demo_opts;
  bool list_scenarios = false;
  demo_cmd->add_flag("--keep", demo_opts.keep_files, "Keep the temporary database and CA");
  demo_cmd->add_option("--scenario", demo_opts.scenario,
                       "What the caller meets (default: booking; --list names them)");
  demo_cmd->add_flag("--list", list_scenarios, "List the scenarios and exit");
  demo_cmd
      ->add_option("--calls", demo_opts.calls,
                   "Calls to place (cluster only; default 3; from 10 on, a third of them ring a "
                   "second business limited to calls/10 at once)")
      ->check(CLI::Range(1, sb::app::max_demo_calls));

  auto* top_cmd = app.add_subcommand(
      "top",
      "Live calls and their actors from a running server (token: SWITCHBOARD_CONSOLE_TOKEN)");
  sb::console::top_options top_opts;
  std::string top_url;
  top_cmd->add_option("--url", top_url,
                      "The server's base URL (default: http://127.0.0.1:<server.port>)");
  top_cmd->add_flag("--once", top_opts.once, "Print one snapshot and exit");

  sb::app::add_admin_commands(
      app, [&] { return load(config_path).storage.path; }, exit_code);
  sb::app::add_recording_commands(
      app, [&] { return load(config_path).storage.path; }, exit_code);
  sb::app::add_report_command(
      app, [&] { return load(config_path).storage.path; }, exit_code);
  sb::app::add_variant_commands(
      app, [&] { return load(config_path).storage.path; }, exit_code);
  sb::app::add_node_commands(
      app, [&] { return load(config_path).storage.path; }, exit_code);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const sb::config_error& e) {
    std::cerr << "switchboard: " << e.what() << "\n";
    return 2;
  }
  try {
    if (serve_cmd->parsed())
      return serve(config_path);
    if (demo_cmd->parsed() && list_scenarios) {
      sb::app::list_demo_scenarios(std::cout);
      return 0;
    }
    if (demo_cmd->parsed())
      return sb::app::run_demo(demo_opts);
    if (top_cmd->parsed()) {
      auto cfg = load(config_path);
      top_opts.url =
          top_url.empty() ? "http://127.0.0.1:" + std::to_string(cfg.server.port) : top_url;
      while (!top_opts.url.empty() && top_opts.url.back() == '/')
        top_opts.url.pop_back();
      top_opts.token = cfg.console.token;
      return sb::console::run_top(top_opts, std::cout, std::cerr);
    }
  } catch (const sb::config_error& e) {
    std::cerr << "switchboard: " << e.what() << "\n";
    return 2;
  }
  return exit_code;
}
