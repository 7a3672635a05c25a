#include "bench/server_process.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace sb::bench {

pid_t spawn(const std::vector<std::string>& argv, const env_list& env,
            const std::string& log_path) {
  // Build everything before fork: only async-signal-safe calls after it.
  std::vector<char*> args;
  for (const auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) {
    std::string kv = *e;
    bool overridden = false;
    for (const auto& [k, v] : env)
      overridden = overridden || kv.rfind(k + "=", 0) == 0;
    if (!overridden)
      env_strings.push_back(std::move(kv));
  }
  for (const auto& [k, v] : env)
    env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings)
    envp.push_back(s.data());
  envp.push_back(nullptr);
  const int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0)
    return -1;
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    // A harness that dies early (a crash, SIGKILL, a failed check) must not
    // leave its server running: the child gets SIGTERM (a graceful stop)
    // when the thread that forked it ends. Callers fork from their main
    // thread. If the parent is already gone, the signal would never come.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent)
      ::_exit(127);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::execve(args[0], args.data(), envp.data());
    ::_exit(127);
  }
  ::close(fd);
  return pid;
}

bool port_accepts(uint16_t port) {
  const int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(s);
  return ok;
}

bool add_bench_tenant(const std::string& binary, const std::string& config_path,
                      const std::string& number, const env_list& env, const std::string& log_path) {
  auto added =
      run_command({binary, "--config", config_path, "tenants", "add", "--number", number, "--name",
                   "Bench Plumbing", "--greeting", "Thanks for calling Bench Plumbing."},
                  env, log_path);
  return added && *added == 0;
}

result<int> run_command(const std::vector<std::string>& argv, const env_list& env,
                        const std::string& log_path) {
  const pid_t pid = spawn(argv, env, log_path);
  if (pid < 0)
    return error{"spawn", "cannot start " + argv.front() + ": " + std::strerror(errno)};
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

result<server_process> server_process::start(const std::string& binary,
                                             const std::string& config_path, const env_list& env,
                                             uint16_t port, const std::string& log_path) {
  server_process p;
  p.pid_ = spawn({binary, "--config", config_path, "serve"}, env, log_path);
  if (p.pid_ < 0)
    return error{"spawn", "cannot start " + binary + ": " + std::strerror(errno)};
  if (auto up = wait_listening(p.pid_, port, "switchboard serve", log_path); !up) {
    if (!p.running())
      p.pid_ = -1;
    return up.err();
  }
  return p;
}

status wait_listening(pid_t pid, uint16_t port, const std::string& what,
                      const std::string& log_path) {
  for (int i = 0; i < 200; ++i) {
    int st = 0;
    if (::waitpid(pid, &st, WNOHANG) == pid)
      return error{"spawn", what + " exited at start; see " + log_path};
    if (port_accepts(port))
      return ok_status();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return error{"spawn", what + " did not listen on port " + std::to_string(port) +
                            " within 10 s; see " + log_path};
}

bool server_process::running() const {
  if (pid_ <= 0 || ended_ >= 0)
    return false;
  int status = 0;
  const auto r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_)
    ended_ = status;
  return r == 0;
}

std::string server_process::how_it_ended() const {
  if (ended_ < 0)
    return {};
  if (WIFEXITED(ended_))
    return "exit status " + std::to_string(WEXITSTATUS(ended_));
  if (WIFSIGNALED(ended_)) {
    const int sig = WTERMSIG(ended_);
    const char* name = ::strsignal(sig);
    return "killed by signal " + std::to_string(sig) + (name ? std::string{" ("} + name + ")" : "");
  }
  return "status " + std::to_string(ended_);
}

int server_process::stop(int grace_ms) {
  if (pid_ <= 0)
    return -1;
  if (ended_ >= 0) { // already reaped by running(): its pid may be another's now
    pid_ = -1;
    return WIFEXITED(ended_) ? WEXITSTATUS(ended_) : -1;
  }
  return stop_child(std::exchange(pid_, -1), grace_ms);
}

int stop_child(pid_t pid, int grace_ms) {
  ::kill(pid, SIGTERM);
  int status = 0;
  for (int waited = 0; waited < grace_ms; waited += 20) {
    if (::waitpid(pid, &status, WNOHANG) == pid)
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  return -1;
}

uint16_t free_port() {
  const int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(s);
  return ntohs(a.sin_port);
}

} // namespace sb::bench
