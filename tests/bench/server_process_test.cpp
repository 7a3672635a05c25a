// The bench's child processes (bench/server_process.cpp): a harness that dies
// early, killed or crashed, must not leave the server it started running.

#include "bench/server_process.hpp"

#define BOOST_TEST_MODULE bench_server_process
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <csignal>
#include <fstream>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace {

/// The state letter of /proc/PID/stat ('Z' for a zombie), or 0 if gone.
char proc_state(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(f, line))
    return 0;
  auto at = line.rfind(')');
  return at != std::string::npos && at + 2 < line.size() ? line[at + 2] : 0;
}

bool gone(pid_t pid) {
  char s = proc_state(pid);
  return s == 0 || s == 'Z' || s == 'X';
}

/// A "harness" process that spawns `sleep 600` through bench::spawn, reports
/// its pid on a pipe, then waits to be killed. Returns {harness, child}.
std::pair<pid_t, pid_t> start_harness() {
  int fds[2];
  BOOST_REQUIRE(::pipe(fds) == 0);
  const pid_t harness = ::fork();
  BOOST_REQUIRE(harness >= 0);
  if (harness == 0) {
    ::close(fds[0]);
    const pid_t child = sb::bench::spawn({"/bin/sleep", "600"}, {}, "/dev/null");
    (void)!::write(fds[1], &child, sizeof child);
    ::pause();
    ::_exit(0);
  }
  ::close(fds[1]);
  pid_t child = -1;
  BOOST_REQUIRE(::read(fds[0], &child, sizeof child) == sizeof child);
  ::close(fds[0]);
  return {harness, child};
}

} // namespace

BOOST_AUTO_TEST_CASE(a_killed_harness_takes_its_server_with_it) {
  auto [harness, child] = start_harness();
  BOOST_REQUIRE(child > 0);
  BOOST_TEST(!gone(child)); // running while its harness is
  ::kill(harness, SIGKILL);
  ::waitpid(harness, nullptr, 0);
  bool ended = false;
  for (int i = 0; i < 100 && !ended; ++i) { // bounded: 5 s
    ended = gone(child);
    if (!ended)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  BOOST_TEST(ended, "the server (pid " << child << ") outlived its killed harness");
  if (!ended)
    ::kill(child, SIGKILL);
}

BOOST_AUTO_TEST_CASE(a_live_harness_keeps_its_server) {
  auto [harness, child] = start_harness();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  BOOST_TEST(!gone(child));
  ::kill(harness, SIGKILL);
  ::waitpid(harness, nullptr, 0);
}
