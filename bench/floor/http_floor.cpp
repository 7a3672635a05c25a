// switchboard-http-floor: the bare minimum an HTTP answer costs here. One
// thread, epoll, keep-alive; it reads a request (headers and a
// Content-Length body) and answers 200 with a TwiML-sized body, doing no
// other work. Driven by wrk exactly like the webhook check
// (bench/webhook_check.cpp), it shows the latency this VM's scheduling and
// loopback TCP add before any of Switchboard's own work.
//
// Usage: switchboard-http-floor PORT  (listens on 127.0.0.1:PORT until killed)

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unordered_map>

namespace {

/// The size of a Connect/Stream TwiML answer (~460 bytes).
const std::string body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Connect>" +
                         std::string(360, 'x') + "</Connect><Hangup/></Response>";
const std::string answer =
    "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: " + std::to_string(body.size()) +
    "\r\n\r\n" + body;

/// Answers every complete request in `in`; false when the peer must go.
bool serve(int fd, std::string& in) {
  for (;;) {
    auto end = in.find("\r\n\r\n");
    if (end == std::string::npos)
      return true;
    std::size_t length = 0;
    auto cl = in.find("Content-Length:");
    if (cl != std::string::npos && cl < end)
      length = std::strtoul(in.c_str() + cl + 15, nullptr, 10);
    if (in.size() < end + 4 + length)
      return true;
    in.erase(0, end + 4 + length);
    if (::send(fd, answer.data(), answer.size(), MSG_NOSIGNAL) !=
        static_cast<ssize_t>(answer.size()))
      return false;
  }
}

} // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: switchboard-http-floor PORT\n");
    return 2;
  }
  int lfd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  int one = 1;
  ::setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(std::atoi(argv[1])));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(lfd, 128) != 0) {
    std::perror("bind/listen");
    return 1;
  }
  int ep = ::epoll_create1(0);
  epoll_event ev{EPOLLIN, {.fd = lfd}};
  ::epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
  std::unordered_map<int, std::string> conns;
  epoll_event events[64];
  char buf[16384];
  for (;;) {
    int n = ::epoll_wait(ep, events, 64, -1);
    for (int i = 0; i < n; ++i) {
      int fd = events[i].data.fd;
      if (fd == lfd) {
        int c;
        while ((c = ::accept4(lfd, nullptr, nullptr, SOCK_NONBLOCK)) >= 0) {
          ::setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          epoll_event cev{EPOLLIN, {.fd = c}};
          ::epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
          conns[c];
        }
        continue;
      }
      auto& in = conns[fd];
      ssize_t got;
      bool alive = true;
      while ((got = ::recv(fd, buf, sizeof buf, 0)) > 0)
        in.append(buf, static_cast<std::size_t>(got));
      if (got == 0 || (got < 0 && errno != EAGAIN))
        alive = false;
      if (alive)
        alive = serve(fd, in);
      if (!alive) {
        ::close(fd);
        conns.erase(fd);
      }
    }
  }
}
