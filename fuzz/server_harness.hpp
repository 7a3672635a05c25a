#pragma once
// Fuzzing our network server (net/http_server.hpp) as a client would meet
// it: the real server, in this process on its own io thread (so ASan and
// the fuzzer's coverage see its code), and per input one loopback TCP
// connection that sends the bytes, closes its sending side and reads the
// answer until the server closes (bounded). Used by the HTTP, WebSocket and
// TLS targets; only 127.0.0.1.

#include "net/http_server.hpp"
#include "net/io.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

namespace sb::fuzz {

class server_harness {
public:
  server_harness(net::http_server_options options, net::http_handlers handlers) {
    options.bind_address = "127.0.0.1";
    options.port = 0;
    options.read_timeout = std::chrono::milliseconds{500}; // an unfinished input ends soon
    auto started = net::http_server::start(io_.context(), std::move(options), std::move(handlers));
    if (!started) {
      std::fprintf(stderr, "fuzz harness: server: %s\n", started.err().message.c_str());
      std::abort();
    }
    server_ = *started;
  }

  /// Sends `bytes` on a new connection and reads until the server closes it
  /// (or 2 s pass); what it answered.
  std::string exchange(std::string_view bytes) {
    namespace asio = boost::asio;
    asio::io_context client;
    asio::ip::tcp::socket s{client};
    boost::system::error_code ec;
    s.connect({asio::ip::make_address("127.0.0.1"), server_->port()}, ec);
    if (ec) {
      std::fprintf(stderr, "fuzz harness: connect: %s\n", ec.message().c_str());
      std::abort();
    }
    timeval tv{2, 0};
    ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    asio::write(s, asio::buffer(bytes.data(), bytes.size()), ec);
    s.shutdown(asio::ip::tcp::socket::shutdown_send, ec);
    std::string answer;
    char buf[4096];
    for (int i = 0; i < 256; ++i) { // bounded: at most 1 MiB read
      auto n = s.read_some(asio::buffer(buf), ec);
      answer.append(buf, n);
      if (ec)
        break;
    }
    return answer;
  }

private:
  net::io_runtime io_{1};
  std::shared_ptr<net::http_server> server_;
};

} // namespace sb::fuzz
