#include "bench/lb_process.hpp"

#include "bench/server_process.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace sb::bench {

// HAProxy 2.6's configuration manual (Debian 12's haproxy 2.6.12),
// https://docs.haproxy.org/2.6/configuration.html: `option httpchk` and
// `http-check expect` (5.2 and 4.2), `default-server inter/fall/rise`,
// `retry-on conn-failure` (only a connection that failed before the request
// was sent is retried, so a webhook is never delivered twice) with
// `option redispatch` (the retry goes to another server).
std::string haproxy_config(uint16_t listen_port, const std::vector<lb_backend>& backends) {
  std::string cfg = "# Written by Switchboard (bench/lb_process.cpp)\n"
                    "global\n"
                    "  maxconn 8192\n"
                    "defaults\n"
                    "  mode http\n"
                    "  timeout connect 1s\n"
                    "  timeout client 30s\n"
                    "  timeout server 30s\n"
                    "  retries 3\n"
                    "  retry-on conn-failure empty-response\n"
                    "  option redispatch 1\n"
                    "frontend twilio_webhooks\n"
                    "  bind 127.0.0.1:" +
                    std::to_string(listen_port) +
                    "\n"
                    "  default_backend switchboard_nodes\n"
                    "backend switchboard_nodes\n"
                    "  balance roundrobin\n"
                    "  option httpchk GET /telephony/realtime-health\n"
                    "  http-check expect status 200\n"
                    "  default-server inter 500ms fall 2 rise 1\n";
  for (const auto& b : backends)
    cfg += "  server " + b.name + " 127.0.0.1:" + std::to_string(b.port) + " check\n";
  return cfg;
}

result<std::string> find_haproxy() {
  if (const char* env = std::getenv("SB_HAPROXY"); env != nullptr && *env != '\0')
    return std::string(env);
  for (const char* p : {"/usr/sbin/haproxy", "/usr/bin/haproxy", "/usr/local/sbin/haproxy"})
    if (::access(p, X_OK) == 0)
      return std::string(p);
  return error{"haproxy", "haproxy is not installed: `bash scripts/setup.sh` installs it "
                          "(Debian: apt-get install haproxy), or set SB_HAPROXY"};
}

result<lb_process> lb_process::start(const std::string& dir, uint16_t listen_port,
                                     const std::vector<lb_backend>& backends) {
  auto binary = find_haproxy();
  if (!binary)
    return binary.err();
  const auto cfg_path = (std::filesystem::path(dir) / "haproxy.cfg").string();
  const auto log_path = (std::filesystem::path(dir) / "haproxy.log").string();
  {
    std::ofstream out(cfg_path);
    out << haproxy_config(listen_port, backends);
    if (!out)
      return error{"haproxy", "cannot write " + cfg_path};
  }
  lb_process p;
  p.pid_ = spawn({*binary, "-db", "-f", cfg_path}, {}, log_path);
  if (p.pid_ < 0)
    return error{"haproxy", "cannot start " + *binary + ": " + std::strerror(errno)};
  if (auto up = wait_listening(p.pid_, listen_port, "haproxy", log_path); !up) {
    p.stop();
    return up.err();
  }
  return p;
}

void lb_process::stop() {
  if (pid_ > 0)
    stop_child(std::exchange(pid_, -1), 5'000);
}

} // namespace sb::bench
