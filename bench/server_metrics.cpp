#include "bench/server_metrics.hpp"

#include <arpa/inet.h>
#include <limits>
#include <netinet/in.h>
#include <sstream>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

namespace sb::bench {

std::string http_exchange(uint16_t port, const std::string& request) {
  const int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  timeval tv{5, 0}; // bounded: a stuck server counts as an error
  ::setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string resp;
  if (::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::send(s, request.data(), request.size(), MSG_NOSIGNAL) ==
          static_cast<ssize_t>(request.size())) {
    char buf[4096];
    for (ssize_t got; (got = ::recv(s, buf, sizeof buf, 0)) > 0;)
      resp.append(buf, static_cast<std::size_t>(got));
  }
  ::close(s);
  return resp;
}

relay_latency_scrape scrape_relay_latency(uint16_t port, const std::string& bearer) {
  if (bearer.empty())
    return {}; // no console token: /metrics is not served
  const std::string resp =
      http_exchange(port, "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                              bearer + "\r\nConnection: close\r\n\r\n");
  relay_latency_scrape out;
  if (resp.rfind("HTTP/1.1 200", 0) != 0)
    return out;
  // switchboard_relay_latency_seconds_bucket{node="..",direction="..",le="0.001"} 12
  const std::string name = "switchboard_relay_latency_seconds_bucket{";
  std::istringstream in(resp);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(name, 0) != 0)
      continue;
    const auto le = line.find("le=\"");
    const auto close = line.find("\"}", le);
    const auto space = line.rfind(' ');
    if (le == std::string::npos || close == std::string::npos || space == std::string::npos)
      continue;
    auto& b = line.find("direction=\"openai_to_caller\"") != std::string::npos ? out.downstream
                                                                               : out.upstream;
    const std::string bound = line.substr(le + 4, close - le - 4);
    b.le_s.push_back(bound == "+Inf" ? std::numeric_limits<double>::infinity() : std::stod(bound));
    b.counts.push_back(std::stod(line.substr(space + 1)));
    b.ok = true;
  }
  return out;
}

double bucket_quantile_ms(const relay_latency_buckets& before, const relay_latency_buckets& after,
                          double q) {
  if (!before.ok || !after.ok || before.counts.size() != after.counts.size() ||
      after.counts.empty())
    return -1;
  const double total = after.counts.back() - before.counts.back();
  if (total <= 0)
    return -1;
  for (std::size_t i = 0; i < after.counts.size(); ++i)
    if (after.counts[i] - before.counts[i] >= q * total)
      return after.le_s[i] * 1000.0;
  return std::numeric_limits<double>::infinity();
}

} // namespace sb::bench
