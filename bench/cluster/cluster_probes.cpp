#include "bench/cluster/cluster_probes.hpp"
#include "bench/server_metrics.hpp"

#include "protocol/form.hpp"
#include "protocol/twilio_signature.hpp"

#include <arpa/inet.h>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <netinet/in.h>
#include <sstream>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

namespace sb::bench {

namespace {

const std::string webhook_path = "/telephony/realtime-inbound-voice";

/// Fields of /proc/PID/stat after the command (proc(5)): index 0 is field 3
/// (state), 1 is ppid, 11-14 utime stime cutime cstime (fields 14-17).
std::vector<std::string> stat_fields(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(in, line);
  std::vector<std::string> f;
  const auto close = line.rfind(')');
  if (close == std::string::npos)
    return f;
  std::istringstream rest(line.substr(close + 2));
  for (std::string x; rest >> x;)
    f.push_back(x);
  return f;
}

} // namespace

job_card_metric scrape_job_card_metric(uint16_t metrics_port) {
  const std::string resp = http_exchange(
      metrics_port, "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  job_card_metric m;
  const std::string name = "switchboard_job_card_latency_seconds";
  std::istringstream in(resp);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(name, 0) != 0)
      continue;
    const auto space = line.rfind(' ');
    if (space == std::string::npos)
      continue;
    const double v = std::stod(line.substr(space + 1));
    const std::string key = line.substr(name.size(), space - name.size());
    if (key == "_sum")
      m.sum_s = v;
    else if (key == "_count")
      m.count = v;
    else if (key == "_bucket{le=\"0.1\"}")
      m.le_100ms = v;
  }
  m.ok = resp.rfind("HTTP/1.1 200", 0) == 0;
  return m;
}

webhook_probe::webhook_probe(uint16_t port, std::string public_url, std::string token, double rate)
    : port_(port), public_url_(std::move(public_url)), token_(std::move(token)), rate_(rate) {
  if (rate_ > 0)
    thread_ = std::thread([this] { run(); });
}

webhook_probe::~webhook_probe() {
  stop_ = true;
  if (thread_.joinable())
    thread_.join();
}

std::vector<double> webhook_probe::latencies_ms() const {
  std::lock_guard lock(mu_);
  return latencies_;
}

void webhook_probe::run() {
  const auto period = std::chrono::microseconds(static_cast<int64_t>(1e6 / rate_));
  auto next = std::chrono::steady_clock::now();
  for (int n = 0; !stop_; ++n) {
    next += period;
    const double ms = post_once(n);
    ++sent_;
    if (recording_) {
      if (ms < 0) {
        ++errors_;
      } else {
        std::lock_guard lock(mu_);
        latencies_.push_back(ms);
      }
    }
    std::this_thread::sleep_until(next);
  }
}

double webhook_probe::post_once(int n) const {
  char sid[40];
  std::snprintf(sid, sizeof sid, "CA%032d", n);
  const proto::form_params params = {
      {"CallSid", sid},          {"AccountSid", "AC" + std::string(32, '0')},
      {"From", "+15550009999"},  {"To", "+15559990001"}, // no tenant
      {"CallStatus", "ringing"}, {"Direction", "inbound"}};
  const std::string body = proto::encode_form(params);
  const std::string sig = proto::twilio_signature(token_, public_url_ + webhook_path, params);
  const std::string req = "POST " + webhook_path +
                          " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                          "Content-Type: application/x-www-form-urlencoded\r\n"
                          "X-Twilio-Signature: " +
                          sig + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
                          body;
  const auto t0 = std::chrono::steady_clock::now();
  const std::string resp = http_exchange(port_, req);
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  const bool ok = resp.rfind("HTTP/1.1 200", 0) == 0 && resp.find("<Hangup") != std::string::npos;
  return ok ? ms : -1;
}

double process_tree_cpu_s(pid_t root) {
  if (root <= 0)
    return 0;
  const double tick = static_cast<double>(::sysconf(_SC_CLK_TCK));
  double ticks = 0;
  const auto rf = stat_fields(root);
  if (rf.size() < 15)
    return 0;
  for (int i = 11; i <= 14; ++i)
    ticks += std::stod(rf[static_cast<std::size_t>(i)]);
  const std::string parent = std::to_string(root);
  std::error_code ec;
  for (std::filesystem::directory_iterator it("/proc", ec), end; !ec && it != end;
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.empty() || name[0] < '0' || name[0] > '9')
      continue;
    const auto f = stat_fields(static_cast<pid_t>(std::stol(name)));
    if (f.size() > 12 && f[1] == parent)
      ticks += std::stod(f[11]) + std::stod(f[12]);
  }
  return ticks / tick;
}

double loadavg_1m() {
  std::ifstream in("/proc/loadavg");
  double v = 0;
  in >> v;
  return v;
}

} // namespace sb::bench
