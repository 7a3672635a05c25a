#pragma once
// switchboard-floor: the cheapest possible relay with the bridge's traffic
// shape (bench/floor/README.md). Shared by the relay process (relay.cpp) and
// the load generator (generator.cpp): a 16-byte binary header instead of
// WebSocket + JSON, so what remains is kernel TCP loopback + epoll.

#include <arpa/inet.h>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

namespace sb::floor {

/// Message kinds; each direction of the bridge has its own.
enum class kind : std::uint8_t {
  hello = 1,        ///< caller->relay and relay->peer: announces the call id
  up_media = 2,     ///< caller->relay, like a Twilio "media" frame
  up_fwd = 3,       ///< relay->peer, like input_audio_buffer.append
  down_media = 4,   ///< peer->relay, like response.output_audio.delta
  caller_media = 5, ///< relay->caller, the Twilio "media" frame sent back
  mark = 6,         ///< relay->caller, the Twilio "mark" after each media
  mark_echo = 7,    ///< caller->relay, Twilio echoing the mark when played
};

/// Sizes that mirror the bridge's frames (protocols.md): 160 mu-law bytes
/// base64 in a Twilio media JSON is ~260 bytes; marks are ~90 bytes.
inline constexpr std::uint16_t k_up_media = 260, k_up_fwd = 230, k_down_media = 260,
                               k_caller_media = 260, k_mark = 90, k_hello = 16;

/// Wire header; the payload after it is filler.
struct header {
  std::uint16_t len; ///< whole message, header included
  std::uint8_t kind;
  std::uint8_t pad;
  std::uint32_t call;
  std::uint64_t ts_ns; ///< CLOCK_MONOTONIC at the caller's write
};
static_assert(sizeof(header) == 16);

/// Counters the relay process publishes through shared memory.
struct relay_counters {
  std::uint64_t up_in, up_out, down_in, caller_media_out, mark_out, echo_in;
  std::uint64_t accepted, closed, write_stalls;
  std::uint64_t bad_in; ///< --protocol: frames or events that failed a check
};

/// CLOCK_MONOTONIC in nanoseconds (one clock for caller and peer).
inline std::uint64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return std::uint64_t(ts.tv_sec) * 1'000'000'000u + std::uint64_t(ts.tv_nsec);
}

/// Builds a message of `len` bytes into `buf` (which holds at least len).
inline void make_msg(char* buf, std::uint16_t len, kind k, std::uint32_t call, std::uint64_t ts) {
  header h{len, std::uint8_t(k), 0, call, ts};
  std::memcpy(buf, &h, sizeof h);
  std::memset(buf + sizeof h, 'Q', len - sizeof h);
}

/// One non-blocking TCP socket with its reassembly and backlog buffers.
struct endpoint {
  int fd = -1;
  std::uint64_t tag = 0; ///< epoll data of this socket
  std::vector<char> in = std::vector<char>(16384);
  std::size_t used = 0;
  std::string out; ///< bytes the kernel did not take yet (rare)
};

/// Writes or queues; arms EPOLLOUT when the socket buffer is full.
/// One write() per message on purpose: that is what the bridge does.
inline bool send_msg(int ep, endpoint& e, const char* p, std::size_t n,
                     std::uint64_t* stalls = nullptr) {
  if (e.fd < 0)
    return false;
  if (e.out.empty()) {
    ssize_t w = ::write(e.fd, p, n);
    if (w == ssize_t(n))
      return true;
    if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
      return false;
    if (w < 0)
      w = 0;
    p += w;
    n -= std::size_t(w);
    epoll_event ev{EPOLLIN | EPOLLOUT, {}};
    ev.data.u64 = e.tag;
    epoll_ctl(ep, EPOLL_CTL_MOD, e.fd, &ev);
    if (stalls)
      ++*stalls;
  }
  e.out.append(p, n);
  return true;
}

/// Drains the backlog on EPOLLOUT; disarms EPOLLOUT once empty.
inline bool flush(int ep, endpoint& e) {
  while (!e.out.empty()) { // bounded: each pass shrinks out or returns
    ssize_t w = ::write(e.fd, e.out.data(), e.out.size());
    if (w < 0)
      return errno == EAGAIN || errno == EWOULDBLOCK;
    e.out.erase(0, std::size_t(w));
  }
  epoll_event ev{EPOLLIN, {}};
  ev.data.u64 = e.tag;
  epoll_ctl(ep, EPOLL_CTL_MOD, e.fd, &ev);
  return true;
}

/// One read(), then hands every complete message to on_msg(const header&,
/// const char* msg). Returns false on EOF or error.
template <class F> bool read_msgs(endpoint& e, F&& on_msg) {
  ssize_t r = ::read(e.fd, e.in.data() + e.used, e.in.size() - e.used);
  if (r == 0)
    return false;
  if (r < 0)
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
  e.used += std::size_t(r);
  std::size_t off = 0;
  while (e.used - off >= sizeof(header)) { // bounded by e.used
    header h;
    std::memcpy(&h, e.in.data() + off, sizeof h);
    if (h.len < sizeof h)
      return false; // corrupt stream
    if (e.used - off < h.len)
      break;
    on_msg(h, e.in.data() + off);
    off += h.len;
  }
  if (off > 0) {
    std::memmove(e.in.data(), e.in.data() + off, e.used - off);
    e.used -= off;
  }
  return true;
}

/// Sets O_NONBLOCK and TCP_NODELAY (the bridge disables Nagle too).
inline void tune_socket(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/// Listening socket on 127.0.0.1, ephemeral port; returns fd, port in *port.
inline int listen_loopback(std::uint16_t* port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -1;
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 4096) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    ::close(fd);
    return -1;
  }
  *port = ntohs(a.sin_port);
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

/// Blocking connect to 127.0.0.1:port, then tuned; -1 on failure.
inline int connect_loopback(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  tune_socket(fd);
  return fd;
}

/// CPU clocks at one instant: the relay, the generator, the whole machine.
struct cpu_snap {
  std::uint64_t wall_ns = 0;
  double relay_stat_s = 0, relay_sched_s = 0; ///< utime+stime; schedstat
  double gen_stat_s = 0, gen_sched_s = 0;
  double busy_s = 0, softirq_s = 0, steal_s = 0; ///< /proc/stat, all CPUs
  double ksoftirqd_s = 0;                        ///< deferred network softirq work, all CPUs
};
/// Reads /proc/<relay_pid>/{stat,schedstat}, /proc/self/..., /proc/stat.
cpu_snap snapshot(int relay_pid);

/// What the generator (callers + peer, this process) is asked to do.
struct gen_config {
  int calls = 100;
  double warmup_s = 2, duration_s = 10;
  std::uint16_t relay_port = 0;
  int peer_listen_fd = -1;
  int relay_pid = 0;
  /// One downstream delta per call every this many 20 ms periods: 5 is the
  /// simulated peer's 100 ms deltas (sim/realtime_peer.hpp delta_ms), 1 a
  /// 20 ms delta (the heaviest shape).
  int down_every = 5;
  /// Deltas per burst: 1 sends one delta per down_every periods; 20 sends a
  /// 2 s reply's 20 deltas back to back once per 20 x down_every periods (the
  /// same frames per minute, in bursts: --burst 20, issue 15.2).
  int burst = 1;
  /// Real WebSocket frames with the real JSON events as payloads, for the
  /// relay's --protocol mode (protocol.hpp).
  bool protocol = false;
};

/// Counts per direction over the whole run and the window's measurements.
struct gen_result {
  std::string error; ///< empty when setup succeeded
  std::uint64_t up_sent = 0, up_recv = 0, down_sent = 0, down_recv = 0;
  std::uint64_t mark_recv = 0, echo_sent = 0;
  std::uint64_t window_up_sent = 0, late_slots = 0;
  std::uint64_t bad_recv = 0; ///< --protocol: relay output that is not a WebSocket text frame
  std::vector<std::uint32_t> lat_us; ///< relay hop histogram, 1 us bins to 1 s
  /// Downstream: the peer's write of a delta -> the caller read its media
  /// frame (same bins).
  std::vector<std::uint32_t> down_lat_us;
  cpu_snap start, end;
};
/// Connects the callers, accepts the relay's peer sockets, paces traffic.
gen_result run_generator(const gen_config& cfg);

/// The relay process body: returns when stop_fd reports EOF or at deadline.
void run_relay(int listen_fd, std::uint16_t peer_port, int stop_fd, relay_counters* counters,
               std::uint64_t deadline_ns, bool protocol);

} // namespace sb::floor
