#pragma once
// Shared test helpers: an io_runtime, a server on an ephemeral 127.0.0.1
// port, a raw POSIX client for bytes no well-behaved client would send, and
// bounded waits (nothing here can hang: every wait has a deadline).

#include "net/http_server.hpp"
#include "net/io.hpp"
#include "tests/support/eventually.hpp"

#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <future>
#include <string>
#include <thread>

namespace sb::net::test {

using namespace std::chrono_literals;

using sb::test::eventually;

/// Waits for a future with a deadline; fails the test on timeout.
template <class T> T await(std::future<T>& f, std::chrono::milliseconds timeout = 5000ms) {
  BOOST_REQUIRE_MESSAGE(f.wait_for(timeout) == std::future_status::ready, "timed out waiting");
  return f.get();
}

/// A blocking TCP client with a receive timeout.
class raw_client {
public:
  explicit raw_client(uint16_t port, std::chrono::milliseconds recv_timeout = 5000ms) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{};
    tv.tv_sec = recv_timeout.count() / 1000;
    tv.tv_usec = (recv_timeout.count() % 1000) * 1000;
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~raw_client() { close(); }
  raw_client(const raw_client&) = delete;
  raw_client& operator=(const raw_client&) = delete;

  bool connected() const { return connected_; }

  bool send(const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
      auto n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0)
        return false;
      sent += static_cast<std::size_t>(n);
    }
    return true;
  }

  /// Reads one HTTP response (headers + Content-Length body); "" on
  /// EOF/timeout before a complete header.
  std::string read_response() {
    while (buffer_.find("\r\n\r\n") == std::string::npos)
      if (!fill())
        return {};
    auto header_end = buffer_.find("\r\n\r\n") + 4;
    std::size_t length = 0;
    auto cl = buffer_.find("Content-Length: ");
    if (cl != std::string::npos && cl < header_end)
      length = std::stoul(buffer_.substr(cl + 16));
    while (buffer_.size() < header_end + length)
      if (!fill())
        return {};
    std::string out = buffer_.substr(0, header_end + length);
    buffer_.erase(0, header_end + length);
    return out;
  }

  /// Exactly `n` bytes (after any left over from read_response); "" if the
  /// connection ends or the receive timeout passes first.
  std::string read_bytes(std::size_t n) {
    while (buffer_.size() < n)
      if (!fill())
        return {};
    std::string out = buffer_.substr(0, n);
    buffer_.erase(0, n);
    return out;
  }

  /// TCP segments with data this socket has received (the kernel's
  /// tcpi_data_segs_in, Linux 4.6+). glibc's struct tcp_info stops before
  /// it; the kernel's (linux/tcp.h, which clashes with netinet/tcp.h)
  /// continues with these fields in this order.
  uint32_t data_segments_in() const {
    struct {
      tcp_info base;
      uint64_t pacing_rate, max_pacing_rate, bytes_acked, bytes_received;
      uint32_t segs_out, segs_in, notsent_bytes, min_rtt, data_segs_in, data_segs_out;
    } info{};
    socklen_t len = sizeof info;
    if (::getsockopt(fd_, IPPROTO_TCP, TCP_INFO, &info, &len) != 0 ||
        len < offsetof(decltype(info), data_segs_out))
      return 0;
    return info.data_segs_in;
  }

  /// True when the server closed the connection (EOF or reset) in time.
  bool closed_by_peer() {
    char c;
    auto n = ::recv(fd_, &c, 1, 0);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
  }

  /// Closes with a RST (SO_LINGER 0): a peer that vanishes.
  void abort() {
    linger l{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    close();
  }

  /// Sends a FIN and keeps reading: a peer that stops half-way.
  void shutdown_send() { ::shutdown(fd_, SHUT_WR); }

  void close() {
    if (fd_ >= 0)
      ::close(fd_);
    fd_ = -1;
  }

private:
  bool fill() {
    char buf[4096];
    auto n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0)
      return false;
    buffer_.append(buf, static_cast<std::size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  std::string buffer_;
};

/// The status code of a raw response ("HTTP/1.1 404 Not Found..." -> 404).
inline int status_of(const std::string& response) {
  if (response.size() < 12 || response.compare(0, 5, "HTTP/") != 0)
    return 0;
  return std::stoi(response.substr(9, 3));
}

/// Starts a server on 127.0.0.1:0; fails the test if it cannot.
inline std::shared_ptr<http_server> start_server(io_runtime& io, http_server_options options,
                                                 http_handlers handlers) {
  auto server = http_server::start(io.context(), std::move(options), std::move(handlers));
  BOOST_REQUIRE_MESSAGE(server.ok(), "server start failed");
  return std::move(server).value();
}

} // namespace sb::net::test
