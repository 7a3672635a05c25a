#pragma once
// HAProxy (Debian's `haproxy`) as a child process in front of several
// `switchboard serve` nodes: the load balancer of the cluster test, the
// cluster demo and the cluster bench (issue 16). Twilio's webhooks and the
// resume `<Redirect>` go through it; each node's Media Streams do not (the
// TwiML a node answers names the node's own stream URL).

#include "common/result.hpp"

#include <cstdint>
#include <string>
#include <sys/types.h>
#include <utility>
#include <vector>

namespace sb::bench {

struct lb_backend {
  std::string name; ///< the node's id
  uint16_t port;    ///< on 127.0.0.1
};

/// The haproxy.cfg the load balancer runs: HTTP mode, round robin over
/// `backends`, a health check on the health route every 500 ms (a node is
/// out after 2 failures), and a failed connection retried on another node.
std::string haproxy_config(uint16_t listen_port, const std::vector<lb_backend>& backends);

/// Where haproxy is ($SB_HAPROXY, else /usr/sbin/haproxy, else on PATH);
/// an error saying how to install it when there is none.
result<std::string> find_haproxy();

class lb_process {
public:
  /// Writes `dir`/haproxy.cfg and runs `haproxy -db -f` on it (foreground,
  /// output to `dir`/haproxy.log); waits until `listen_port` accepts (10 s).
  static result<lb_process> start(const std::string& dir, uint16_t listen_port,
                                  const std::vector<lb_backend>& backends);
  lb_process() = default;
  lb_process(lb_process&& o) noexcept : pid_(std::exchange(o.pid_, -1)) {}
  lb_process& operator=(lb_process&& o) noexcept {
    std::swap(pid_, o.pid_);
    return *this;
  }
  ~lb_process() { stop(); }

  pid_t pid() const { return pid_; }
  void stop();

private:
  pid_t pid_ = -1;
};

} // namespace sb::bench
