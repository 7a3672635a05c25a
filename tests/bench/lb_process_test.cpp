// HAProxy in front of two of our HTTP servers, with the config the cluster
// test and demo use (bench/lb_process.cpp): requests are spread over the
// nodes, and when a node dies the requests still succeed on the other one.
#include "bench/lb_process.hpp"
#include "bench/server_process.hpp"

#include "net/http_client.hpp"
#include "net/http_server.hpp"
#include "net/io.hpp"

#define BOOST_TEST_MODULE lb_process
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <filesystem>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include <csignal>
#include <sys/wait.h>
#include <unistd.h>

using namespace sb;
namespace fs = std::filesystem;

namespace {

/// A node: answers the health route 200 and any other request with its name.
std::shared_ptr<net::http_server> start_node(boost::asio::io_context& io, const std::string& name,
                                             uint16_t port) {
  net::http_server_options o;
  o.port = port;
  net::http_handlers h;
  h.on_request = [name](net::http_request req, net::responder respond) {
    if (req.path() == "/telephony/realtime-health")
      return respond(net::http_response::json(200, "{\"status\":\"ok\"}"));
    respond(net::http_response::text(200, name));
  };
  auto s = net::http_server::start(io, o, std::move(h));
  return s ? *s : nullptr;
}

std::shared_ptr<net::http_server> node(boost::asio::io_context& io, const std::string& name,
                                       uint16_t port) {
  auto s = start_node(io, name, port);
  BOOST_REQUIRE_MESSAGE(s != nullptr, "node " + name + " did not start");
  return s;
}

net::http_client_result post(boost::asio::io_context& io, uint16_t port) {
  std::promise<net::http_client_result> p;
  auto f = p.get_future();
  net::http_client_request r;
  r.url = "http://127.0.0.1:" + std::to_string(port) + "/telephony/realtime-inbound-voice";
  r.content_type = "application/x-www-form-urlencoded";
  r.body = "CallSid=CA1";
  net::http_send(io, r, [&p](net::http_client_result res) { p.set_value(std::move(res)); });
  BOOST_REQUIRE(f.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
  return f.get();
}

/// No io threads of its own: a test that forks does so before it starts any
/// (a child of a multi-threaded process may not start threads: POSIX allows
/// it only async-signal-safe calls, and TSan refuses it outright).
struct lb_fixture {
  fs::path dir = fs::temp_directory_path() / ("sb-lb-" + std::to_string(::getpid()));
  lb_fixture() { fs::create_directories(dir); }
  ~lb_fixture() { fs::remove_all(dir); }
};

} // namespace

BOOST_FIXTURE_TEST_CASE(the_config_names_every_node_and_checks_their_health, lb_fixture) {
  const auto cfg = bench::haproxy_config(8080, {{"node-1", 3001}, {"node-2", 3002}});
  BOOST_TEST(cfg.find("bind 127.0.0.1:8080") != std::string::npos);
  BOOST_TEST(cfg.find("server node-1 127.0.0.1:3001 check") != std::string::npos);
  BOOST_TEST(cfg.find("server node-2 127.0.0.1:3002 check") != std::string::npos);
  BOOST_TEST(cfg.find("option httpchk GET /telephony/realtime-health") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(requests_are_spread_and_survive_a_dead_node, lb_fixture) {
  const uint16_t p1 = bench::free_port(), p2 = bench::free_port(), lb_port = bench::free_port();
  // node-2 is a process of its own, so that it can be SIGKILLed like a
  // node: forked first, it starts its own io thread and server.
  const pid_t n2 = ::fork();
  BOOST_REQUIRE(n2 >= 0);
  if (n2 == 0) {
    net::io_runtime own{1};
    auto s = start_node(own.context(), "node-2", p2);
    for (;;)
      ::pause(); // until the SIGKILL
  }
  net::io_runtime io{1}; // after the fork: the child above starts its own
  auto n1 = node(io.context(), "node-1", p1);
  auto lb = bench::lb_process::start(dir.string(), lb_port, {{"node-1", p1}, {"node-2", p2}});
  BOOST_REQUIRE_MESSAGE(bool(lb), (lb ? std::string{} : lb.err().message));
  // Both nodes pass their first health check before traffic counts.
  std::this_thread::sleep_for(std::chrono::milliseconds(700));

  std::map<std::string, int> served;
  for (int i = 0; i < 10; ++i) {
    auto r = post(io.context(), lb_port);
    BOOST_REQUIRE_MESSAGE(r.status == 200, "status " << r.status << " " << r.error);
    ++served[r.body];
  }
  BOOST_TEST(served["node-1"] == 5);
  BOOST_TEST(served["node-2"] == 5);

  // node-2 dies: its listening socket and every connection it had (HAProxy
  // keeps idle ones for reuse) close. Every request still gets an answer,
  // from node-1: a refused connection is retried on another server at once,
  // before the health check has noticed.
  ::kill(n2, SIGKILL);
  int status = 0;
  ::waitpid(n2, &status, 0);
  for (int i = 0; i < 10; ++i) {
    auto r = post(io.context(), lb_port);
    BOOST_REQUIRE_MESSAGE(r.status == 200, "after the kill: status " << r.status << " " << r.error);
    BOOST_TEST(r.body == "node-1");
  }
}
