#pragma once
// `switchboard serve` as a separate process, so that its CPU and memory are
// measured apart from the load generator's (/proc/PID).

#include "common/result.hpp"

#include <cstdint>
#include <string>
#include <sys/types.h>
#include <utility>
#include <vector>

namespace sb::bench {

using env_list = std::vector<std::pair<std::string, std::string>>;

/// Starts `argv` with the current environment plus `env`, stdout and stderr
/// appended to `log_path`; its pid, or -1 (errno set). The child gets
/// SIGTERM when the calling thread ends: call it from the main thread.
pid_t spawn(const std::vector<std::string>& argv, const env_list& env, const std::string& log_path);

/// Whether a TCP connect to 127.0.0.1:`port` succeeds now.
bool port_accepts(uint16_t port);

/// Waits (10 s) until `port` accepts; an error naming `what` and
/// `log_path` when the child `pid` exits first or the time runs out.
status wait_listening(pid_t pid, uint16_t port, const std::string& what,
                      const std::string& log_path);

/// SIGTERM, then SIGKILL after `grace_ms`; reaps it. The exit status (-1: killed).
int stop_child(pid_t pid, int grace_ms);

/// Runs `argv` with the current environment plus `env`, stdout and stderr
/// appended to `log_path`; waits for it. Returns the exit code.
result<int> run_command(const std::vector<std::string>& argv, const env_list& env,
                        const std::string& log_path);

/// `binary --config config_path tenants add` for the bench's business
/// ("Bench Plumbing" at `number`); true when it exited 0.
bool add_bench_tenant(const std::string& binary, const std::string& config_path,
                      const std::string& number, const env_list& env, const std::string& log_path);

class server_process {
public:
  /// Starts `binary --config config_path serve` with `env` (PORT among
  /// them), output to `log_path`, and waits until `port` accepts (10 s).
  static result<server_process> start(const std::string& binary, const std::string& config_path,
                                      const env_list& env, uint16_t port,
                                      const std::string& log_path);
  server_process() = default;
  server_process(server_process&& o) noexcept
      : pid_(std::exchange(o.pid_, -1)), ended_(std::exchange(o.ended_, -1)) {}
  server_process& operator=(server_process&& o) noexcept {
    std::swap(pid_, o.pid_);
    std::swap(ended_, o.ended_);
    return *this;
  }
  ~server_process() { stop(); }

  pid_t pid() const { return pid_; }
  bool running() const;
  /// After running() has seen the process gone: "exit status N" or "killed
  /// by signal N (name)"; "" while it runs or if it was never started.
  std::string how_it_ended() const;
  /// SIGTERM, then SIGKILL after `grace_ms`; returns the exit status (-1: killed or gone).
  int stop(int grace_ms = 10'000);

private:
  pid_t pid_ = -1;
  mutable int ended_ = -1; ///< waitpid's status once reaped by running()
};

/// A port free right now on 127.0.0.1 (bind 0, read it, close).
uint16_t free_port();

} // namespace sb::bench
