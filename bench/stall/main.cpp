// switchboard-stall (issue 14.5): N calls whose Twilio side stops reading
// while the assistant talks, or N calls that read, against `switchboard
// serve` as its own process; the server's RSS sampled. The assistant's
// greeting is minutes of speech that the Realtime peer streams faster than
// real time, so a stream that is not read fills the socket buffers, then
// the server's write queue, up to twilio.max_queued_bytes: the stream is
// closed ("slow peer") and the call ends. The figure: the server's peak RSS
// with N stalled readers against N reading calls (bench/RESULTS.md).
//   switchboard-stall --calls 50 --mode stalled
//   switchboard-stall --calls 50 --mode reading
// Exit code 0: the run completed (and, stalled, every call was closed as slow).

#include "bench/bench_setup.hpp"
#include "bench/proc_stats.hpp"
#include "bench/server_process.hpp"
#include "common/log.hpp"
#include "common/scope_exit.hpp"
#include "common/time.hpp"
#include "net/io.hpp"
#include "sim/caller.hpp"
#include "sim/realtime_peer.hpp"

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using namespace sb;

const std::string business_number = "+15551230000";
const std::string public_url = "https://switchboard.stall.invalid";

struct stall_options {
  std::string switchboard_bin;
  int calls = 50;
  bool stalled = true;          ///< --mode stalled | reading
  int seconds = 60;             ///< the window the server is sampled over
  int greeting_s = 600;         ///< the assistant's greeting, seconds of audio
  int delta_interval = 20;      ///< ms between the peer's 1 s audio deltas (50x real time)
  int64_t max_queued_bytes = 0; ///< twilio.max_queued_bytes; 0: the server's default
  bool keep = false;
};

std::string sibling_switchboard() {
  std::error_code ec;
  const auto self = fs::canonical("/proc/self/exe", ec);
  const auto p = self.parent_path().parent_path() / "app" / "switchboard";
  return !ec && fs::exists(p) ? p.string() : "switchboard";
}

/// Lines of `path` that contain `needle`.
int count_lines(const fs::path& path, const std::string& needle) {
  std::ifstream in(path);
  int n = 0;
  for (std::string line; std::getline(in, line);)
    n += line.find(needle) != std::string::npos;
  return n;
}

result<bench::server_process> start_server(const stall_options& o, const fs::path& dir,
                                           const std::string& realtime_url, uint16_t port,
                                           const std::string& token) {
  std::string toml = bench::server_config_toml("", 1);
  if (o.max_queued_bytes > 0) {
    const std::string twilio = "[twilio]\n";
    toml.insert(toml.find(twilio) + twilio.size(),
                "max_queued_bytes = " + std::to_string(o.max_queued_bytes) + "\n");
  }
  const std::string config_path = (dir / "config.toml").string();
  std::ofstream{config_path} << toml;
  // info: the "closed: slow peer" lines are counted in the log.
  const bench::env_list env = {
      {"PORT", std::to_string(port)},        {"SERVER_PUBLIC_URL", public_url},
      {"TWILIO_AUTH_TOKEN", token},          {"OPENAI_REALTIME_URL", realtime_url},
      {"OPENAI_API_KEY", "stall-dummy-key"}, {"SWITCHBOARD_DB", (dir / "stall.db").string()},
      {"SWITCHBOARD_LOG_LEVEL", "info"}};
  const std::string log_path = (dir / "server.log").string();
  if (!bench::add_bench_tenant(o.switchboard_bin, config_path, business_number, env, log_path))
    return error{"tenant", "switchboard tenants add failed; see " + log_path};
  return bench::server_process::start(o.switchboard_bin, config_path, env, port, log_path);
}

int run(const stall_options& o) {
  const auto machine = bench::read_machine_info();
  bench::raise_fd_limit();
  auto clips = sim::clip_library::load_default();
  if (!clips) {
    std::cerr << "speech clips: " << clips.err().message << "\n";
    return 1;
  }
  clips->add("long_greeting", std::string(static_cast<std::size_t>(o.greeting_s) * 8000, '\x55'));
  char tmpl[] = "/tmp/switchboard-stall-XXXXXX";
  if (!mkdtemp(tmpl))
    return 1;
  const fs::path dir = tmpl;
  const scope_exit remove_dir{[&] {
    if (!o.keep)
      fs::remove_all(dir);
  }};

  net::io_runtime io{1};
  std::vector<sim::call_script> scripts;
  for (int i = 0; i < o.calls; ++i) {
    scripts.push_back(bench::bench_script(i, 4, false, false));
    scripts.back().greeting_clip = "long_greeting";
    // The caller says nothing (silence frames only): speech would barge in
    // and cut the greeting short.
    scripts.back().turns.clear();
  }
  sim::peer_options po;
  po.clips = *clips;
  po.scripts = scripts;
  po.record_client_events = false;
  po.delta_ms = 1000;
  po.delta_interval_ms = o.delta_interval;
  auto peer = sim::realtime_peer::start(io.context(), po);
  if (!peer) {
    std::cerr << "peer: " << peer.err().message << "\n";
    return 1;
  }
  const uint16_t port = bench::free_port();
  const std::string token = "stall-token-" + std::to_string(now_ms());
  auto server = start_server(o, dir, (*peer)->url(), port, token);
  if (!server) {
    std::cerr << server.err().message << "\n";
    return 1;
  }
  std::this_thread::sleep_for(1s);
  const int64_t idle_kib =
      bench::sample_process(server->pid()).value_or(bench::proc_sample{}).rss_kib;

  auto hang_up = std::make_shared<std::atomic<bool>>(false);
  std::atomic<int> ended{0};
  for (int i = 0; i < o.calls; ++i) {
    sim::caller_options co;
    co.server_url = "http://127.0.0.1:" + std::to_string(port);
    co.public_url = public_url;
    co.auth_token = token;
    co.to_number = business_number;
    co.clips = &*clips;
    co.script = scripts[static_cast<std::size_t>(i)];
    co.max_call_ms = (o.seconds + 60) * 1000;
    co.hang_up = hang_up;
    co.stop_reading = o.stalled;
    boost::asio::post(io.context(), [&io, &ended, co = std::move(co)]() mutable {
      sim::run_caller(io.context(), std::move(co), [&ended](sim::caller_result) { ++ended; });
    });
    std::this_thread::sleep_for(50ms); // 20 calls a second
  }

  int64_t peak_kib = 0, last_kib = 0;
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(o.seconds);
  while (std::chrono::steady_clock::now() < end && server->running()) {
    last_kib = bench::sample_process(server->pid()).value_or(bench::proc_sample{}).rss_kib;
    peak_kib = std::max(peak_kib, last_kib);
    std::this_thread::sleep_for(250ms);
  }
  const int slow = count_lines(dir / "server.log", "closed: slow peer");
  hang_up->store(true);
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (ended < o.calls && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(200ms);
  const int64_t after_kib =
      bench::sample_process(server->pid()).value_or(bench::proc_sample{}).rss_kib;
  server->stop();
  (*peer)->stop();
  io.stop();

  const int64_t bound = o.max_queued_bytes > 0 ? o.max_queued_bytes : 4 * 1024 * 1024;
  std::printf("switchboard-stall %s: %d calls, %d s, greeting %d s at %dx real time, "
              "twilio.max_queued_bytes %lld\n",
              o.stalled ? "stalled" : "reading", o.calls, o.seconds, o.greeting_s,
              1000 / std::max(1, o.delta_interval), static_cast<long long>(bound));
  std::printf("  %s, %d CPUs (%s), %s\n", machine.date_utc.c_str(), machine.cpus,
              machine.cpu_model.c_str(), "shared with other builds");
  std::printf("  server RSS: idle %lld KiB, peak %lld KiB, end of window %lld KiB, "
              "after the hang-ups %lld KiB\n",
              static_cast<long long>(idle_kib), static_cast<long long>(peak_kib),
              static_cast<long long>(last_kib), static_cast<long long>(after_kib));
  std::printf("  peak above idle: %lld KiB (%.1f KiB per call; the queues' bound is %lld KiB "
              "per call)\n",
              static_cast<long long>(peak_kib - idle_kib),
              static_cast<double>(peak_kib - idle_kib) / o.calls,
              static_cast<long long>(bound / 1024));
  std::printf("  streams closed as slow peers: %d of %d\n", slow, o.calls);
  return !o.stalled || slow == o.calls ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
  log::set_level(log::level::warn);
  CLI::App app{"switchboard-stall: N Twilio peers that stop reading; the server's RSS"};
  stall_options o;
  o.switchboard_bin = sibling_switchboard();
  std::string mode = "stalled";
  app.add_option("--switchboard", o.switchboard_bin, "The server binary")->capture_default_str();
  app.add_option("--calls", o.calls, "Concurrent calls")->capture_default_str();
  app.add_option("--mode", mode, "stalled (stop reading) or reading")
      ->check(CLI::IsMember({"stalled", "reading"}))
      ->capture_default_str();
  app.add_option("--seconds", o.seconds, "Sampling window")->capture_default_str();
  app.add_option("--greeting-s", o.greeting_s, "The greeting's length")->capture_default_str();
  app.add_option("--delta-interval-ms", o.delta_interval, "Between the peer's 1 s deltas")
      ->capture_default_str();
  app.add_option("--max-queued-bytes", o.max_queued_bytes, "twilio.max_queued_bytes (0: default)");
  app.add_flag("--keep", o.keep, "Keep the work dir (server log, database)");
  CLI11_PARSE(app, argc, argv);
  o.stalled = mode == "stalled";
  if (o.calls < 1 || o.seconds < 1 || o.greeting_s < 1 || o.delta_interval < 1) {
    std::cerr << "want calls, seconds, greeting-s, delta-interval-ms >= 1\n";
    return 2;
  }
  return run(o);
}
