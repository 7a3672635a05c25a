// switchboard-startup (issue 14 item 4): how long `switchboard serve` takes
// from exec to its health route answering, over N starts on one database
// (the second and later starts are restarts: the WAL, the migrations check,
// the recovery's look-up of calls left open). Each start is killed with
// SIGKILL once it answered, as a crash would, and started again, as systemd
// does with Restart=always. Prints each time and the percentiles.
//
//   switchboard-startup BINARY [STARTS=20] [CALLS_LEFT_OPEN=0]
//
// CALLS_LEFT_OPEN rows with no end reason are put in the database before the
// first start, so that the first start also finalizes them (in the
// background: the health route does not wait for it).

#include "storage/store.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;

uint16_t free_port() {
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(s);
  return ntohs(a.sin_port);
}

/// One GET of the health route; true when an HTTP status line came back.
bool health_answers(uint16_t port) {
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = false;
  if (::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
    const char req[] = "GET /telephony/realtime-health HTTP/1.1\r\nHost: x\r\n\r\n";
    char buf[16] = {};
    ok = ::write(s, req, sizeof req - 1) > 0 && ::read(s, buf, sizeof buf - 1) >= 12 &&
         std::string{buf}.rfind("HTTP/1.1 ", 0) == 0;
  }
  ::close(s);
  return ok;
}

/// exec to the health route's first answer, in ms; -1 if not within 10 s.
double one_start(const std::string& bin, const std::string& config, uint16_t port) {
  auto t0 = clock_type::now();
  pid_t pid = ::fork();
  if (pid == 0) {
    int null_fd = ::open("/dev/null", O_WRONLY);
    ::dup2(null_fd, 1);
    ::dup2(null_fd, 2);
    ::execl(bin.c_str(), bin.c_str(), "--config", config.c_str(), "serve", nullptr);
    ::_exit(127);
  }
  double ms = -1;
  while (clock_type::now() - t0 < std::chrono::seconds(10)) {
    if (health_answers(port)) {
      ms = std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
      break;
    }
    ::usleep(500); // poll every 0.5 ms: the figure is to within about that
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  return ms;
}

void leave_calls_open(const std::string& db_path, int n) {
  auto db = sb::storage::store::open(db_path);
  if (!db) {
    std::fprintf(stderr, "%s\n", db.err().message.c_str());
    std::exit(1);
  }
  for (int i = 0; i < n; ++i) {
    sb::storage::call_record c;
    c.call_sid = "CAstartup" + std::to_string(i);
    c.to = c.tenant_number = "+15551230000";
    c.started_at_ms = 1;
    c.node_id = "node-1";
    (void)(*db)->begin_call(c);
  }
}

double pct(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(q * (v.size() - 1) + 0.5))];
}

} // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: switchboard-startup BINARY [STARTS=20] [CALLS_LEFT_OPEN=0]\n");
    return 2;
  }
  std::string bin = argv[1];
  int starts = argc > 2 ? std::atoi(argv[2]) : 20;
  int open_calls = argc > 3 ? std::atoi(argv[3]) : 0;
  char tmpl[] = "/tmp/switchboard-startup-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  uint16_t port = free_port();
  std::ofstream{dir + "/config.toml"} << "[server]\nbind_address = \"127.0.0.1\"\nport = " << port
                                      << "\n[storage]\npath = \"" << dir << "/sb.db\"\n";
  leave_calls_open(dir + "/sb.db", open_calls);
  ::setenv("TWILIO_AUTH_TOKEN", "startup-bench", 1);
  ::setenv("OPENAI_API_KEY", "startup-bench", 1);
  std::vector<double> ms;
  for (int i = 0; i < starts; ++i) {
    double t = one_start(bin, dir + "/config.toml", port);
    std::printf("start %2d: %.1f ms\n", i + 1, t);
    if (t >= 0)
      ms.push_back(t);
  }
  std::system(("rm -rf " + dir).c_str());
  if (ms.empty())
    return 1;
  std::printf("exec -> health answering, %zu starts: p50 %.1f ms, p90 %.1f ms, max %.1f ms\n",
              ms.size(), pct(ms, 0.5), pct(ms, 0.9), pct(ms, 1.0));
  return ms.size() == static_cast<std::size_t>(starts) ? 0 : 1;
}
