// Switchboard's own TLS stream (net/tls_stream.cpp) against another TLS
// implementation: a WebSocket server on Asio's ssl::stream, as OpenAI's
// servers are someone else's TLS. The rest of the TLS tests (tls_test.cpp)
// have tls_stream at both ends.
#define BOOST_TEST_MODULE net_tls_interop
#include "net/test_ca.hpp"
#include "net/ws_client.hpp"
#include "net_fixture.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <mutex>
#include <optional>
#include <thread>

#include <sys/socket.h>

using namespace sb::net;
using namespace sb::net::test;
namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::ip::tcp;

namespace {

/// A blocking WebSocket echo server over asio::ssl::stream, for `frames`
/// frames, then it closes (close frame, close_notify, TCP). Its reads give
/// up after 5 s, so a client that stalls cannot hang the test.
struct asio_tls_echo_server {
  asio::io_context ioc;
  tcp::acceptor acceptor{ioc, {asio::ip::make_address("127.0.0.1"), 0}};
  std::thread thread;
  std::string error; ///< what went wrong on the server's side, if anything

  asio_tls_echo_server(const pem_pair& cert, int frames) {
    thread = std::thread([this, cert, frames] {
      try {
        asio::ssl::context ctx(asio::ssl::context::tls_server);
        ctx.use_certificate_chain(asio::buffer(cert.cert_pem));
        ctx.use_private_key(asio::buffer(cert.key_pem), asio::ssl::context::pem);
        tcp::socket socket(ioc);
        acceptor.accept(socket);
        timeval tv{5, 0};
        ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        beast::websocket::stream<asio::ssl::stream<tcp::socket>> ws(std::move(socket), ctx);
        ws.next_layer().handshake(asio::ssl::stream_base::server);
        ws.accept();
        for (int i = 0; i < frames; ++i) {
          beast::flat_buffer b;
          ws.read(b);
          ws.text(true);
          ws.write(asio::buffer("echo " + beast::buffers_to_string(b.data())));
        }
        // Returns once the client's close frame came back and TLS and TCP
        // were torn down (close_notify both ways); throws otherwise.
        ws.close(beast::websocket::close_code::normal);
      } catch (const std::exception& e) {
        error = e.what();
      }
    });
  }
  /// Waits for the server's thread (it ends after its close, or its reads
  /// time out).
  void join() {
    if (!thread.joinable())
      return;
    thread.join();
    beast::error_code ignored;
    acceptor.close(ignored);
  }
  ~asio_tls_echo_server() { join(); }
  int port() const { return acceptor.local_endpoint().port(); }
};

} // namespace

BOOST_AUTO_TEST_CASE(wss_client_talks_to_an_asio_ssl_server_and_sees_its_close) {
  auto ca = make_test_ca("switchboard interop CA");
  auto cert = make_server_cert(ca, {"localhost"}, {"127.0.0.1"});
  std::vector<std::string> sent;
  for (std::size_t size : {1, 4097, 16385, 60000})
    sent.push_back(std::string(size, static_cast<char>('a' + size % 26)));
  for (int i = 0; i < 50; ++i)
    sent.push_back("small " + std::to_string(i));
  asio_tls_echo_server server(cert, static_cast<int>(sent.size()));

  io_runtime io{1};
  std::mutex m;
  std::vector<std::string> got;
  std::optional<std::string> closed;
  ws_handlers h;
  h.on_text = [&](std::string&& f) {
    std::lock_guard lock(m);
    got.push_back(std::move(f));
    return true;
  };
  h.on_close = [&](const std::string& reason) {
    std::lock_guard lock(m);
    closed = reason;
  };
  ws_client_options o;
  o.url = "wss://localhost:" + std::to_string(server.port()) + "/";
  o.ca_pem = ca.cert_pem;
  std::promise<ws_connect_result> p;
  auto f = p.get_future();
  ws_connect(io.context(), o, h, [&p](ws_connect_result r) { p.set_value(std::move(r)); });
  auto r = await(f);
  BOOST_REQUIRE_MESSAGE(r.conn, r.error);
  for (const auto& s : sent)
    r.conn->send_text(s);
  BOOST_REQUIRE(eventually(
      [&] {
        std::lock_guard lock(m);
        return closed.has_value();
      },
      10000ms));
  {
    std::lock_guard lock(m);
    BOOST_CHECK_EQUAL(*closed, ""); // the server's close is a normal end
    BOOST_REQUIRE_EQUAL(got.size(), sent.size());
    for (std::size_t i = 0; i < sent.size(); ++i)
      BOOST_CHECK_MESSAGE(got[i] == "echo " + sent[i], "frame " << i);
  }
  server.join();
  BOOST_CHECK_MESSAGE(server.error.empty(), "server: " + server.error); // a clean close there too
}
