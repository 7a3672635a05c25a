#pragma once
// What the cluster bench measures beside the calls: a signed webhook probe
// (its own thread, blocking sockets) and the CPU of a process tree.

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <sys/types.h>
#include <thread>
#include <vector>

namespace sb::bench {

/// POSTs a signed Voice webhook to 127.0.0.1:`port` `rate` times a second,
/// each with a new CallSid and a `To` of no tenant: the server checks the
/// signature, parses the form, looks the number up in the database
/// (registry and storage actor; an unknown number is never cached) and
/// answers the Say/Hangup TwiML, writing nothing. Latencies are kept only
/// while recording() is on.
class webhook_probe {
public:
  webhook_probe(uint16_t port, std::string public_url, std::string token, double rate);
  ~webhook_probe();
  webhook_probe(const webhook_probe&) = delete;
  webhook_probe& operator=(const webhook_probe&) = delete;

  void record(bool on) { recording_ = on; }
  /// The latencies (ms) recorded so far, and the failed requests.
  std::vector<double> latencies_ms() const;
  int errors() const { return errors_; }
  int sent() const { return sent_; }

private:
  void run();
  /// One request; its latency in ms, or -1 when it failed.
  double post_once(int n) const;

  uint16_t port_;
  std::string public_url_, token_;
  double rate_;
  std::atomic<bool> stop_{false}, recording_{false};
  std::atomic<int> errors_{0}, sent_{0};
  mutable std::mutex mu_;
  std::vector<double> latencies_;
  std::thread thread_;
};

/// switchboard_job_card_latency_seconds on a node's own metrics port (call
/// end -> job card stored, the write included: actors/finalizer.cpp).
struct job_card_metric {
  bool ok = false;
  double sum_s = 0, count = 0, le_100ms = 0; ///< cumulative
};
job_card_metric scrape_job_card_metric(uint16_t metrics_port);

/// user + system CPU seconds of `root` and its live children, plus the
/// children `root` has reaped (cutime, cstime): a postmaster and its
/// backends. 0 when `root` is gone.
double process_tree_cpu_s(pid_t root);

/// The 1-minute load average (/proc/loadavg).
double loadavg_1m();

} // namespace sb::bench
