#include "sim/realtime_peer.hpp"

#define BOOST_TEST_MODULE sim_realtime_peer
#include <boost/test/unit_test.hpp>

#include "net/io.hpp"
#include "net/test_ca.hpp"
#include "net/ws_client.hpp"
#include "protocol/base64.hpp"
#include "protocol/realtime.hpp"
#include "tests/support/schema_check.hpp"

#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <optional>
#include <thread>

using namespace sb::sim;
using namespace std::chrono_literals;

namespace {

/// A WebSocket client that collects the peer's events for the test thread.
struct client {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<sb::proto::rt_event> events;
  std::vector<std::string> schema_errors;
  bool closed = false;
  sb::net::ws_connection_ptr conn;

  // The handlers point at this object: before it goes, close the connection
  // and wait (bounded) for on_close, so no handler runs on a dead client.
  ~client() {
    if (!conn)
      return;
    conn->close();
    wait_closed();
  }

  sb::net::ws_handlers handlers() {
    sb::net::ws_handlers h;
    h.on_text = [this](std::string&& f) {
      auto e = sb::proto::parse_server_event(f);
      std::lock_guard lock(mu);
      if (auto why = sb::test::realtime_schema::instance().check_server_event(f); !why.empty())
        schema_errors.push_back(why);
      if (e)
        events.push_back(*e);
      cv.notify_all();
      return true;
    };
    h.on_close = [this](const std::string&) {
      std::lock_guard lock(mu);
      closed = true;
      cv.notify_all();
    };
    return h;
  }

  /// Waits (bounded) until an event of `type` has arrived; returns it.
  std::optional<sb::proto::rt_event> wait_for(const std::string& type, std::size_t from = 0) {
    std::unique_lock lock(mu);
    std::optional<sb::proto::rt_event> found;
    cv.wait_for(lock, 10s, [&] {
      for (std::size_t i = from; i < events.size(); ++i)
        if (events[i].type_name == type) {
          found = events[i];
          return true;
        }
      return false;
    });
    return found;
  }
  bool wait_closed() {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, 10s, [&] { return closed; });
  }
  std::size_t count() {
    std::lock_guard lock(mu);
    return events.size();
  }
};

sb::net::ws_connect_result connect(sb::net::io_runtime& io, const std::string& url,
                                   sb::net::header_list headers, client& c) {
  std::promise<sb::net::ws_connect_result> p;
  sb::net::ws_client_options o;
  o.url = url;
  o.headers = std::move(headers);
  sb::net::ws_connect(io.context(), o, c.handlers(),
                      [&](sb::net::ws_connect_result r) { p.set_value(std::move(r)); });
  auto f = p.get_future();
  BOOST_REQUIRE(f.wait_for(10s) == std::future_status::ready);
  auto r = f.get();
  c.conn = r.conn;
  return r;
}

struct fixture {
  sb::net::io_runtime io{2};
  std::shared_ptr<realtime_peer> peer;
  explicit fixture(bool refuse = false) {
    peer_options o;
    o.clips = *clip_library::load_default();
    o.scripts = {demo_script("+15550004444", "2030-01-02")};
    o.refuse_connections = refuse;
    o.delta_interval_ms = 5;
    auto p = realtime_peer::start(io.context(), std::move(o));
    BOOST_REQUIRE(p.ok());
    peer = *p;
  }
  ~fixture() { peer->stop(); }
};

const sb::net::header_list auth = {{"Authorization", "Bearer sk-test"}};

} // namespace

BOOST_AUTO_TEST_CASE(refuses_an_upgrade_without_a_bearer_token) {
  fixture f;
  client c;
  auto r = connect(f.io, f.peer->url(), {}, c);
  BOOST_TEST(!r.conn);
  BOOST_TEST(r.http_status == 401);
}

BOOST_AUTO_TEST_CASE(answers_503_when_told_to_refuse_connections) {
  fixture f(true);
  client c;
  auto r = connect(f.io, f.peer->url(), auth, c);
  BOOST_TEST(!r.conn);
  BOOST_TEST(r.http_status == 503);
}

BOOST_AUTO_TEST_CASE(the_beta_header_gets_an_error_and_a_closed_socket) {
  fixture f;
  client c;
  auto headers = auth;
  headers.emplace_back("OpenAI-Beta", "realtime=v1");
  auto r = connect(f.io, f.peer->url(), headers, c);
  BOOST_REQUIRE(r.conn);
  auto e = c.wait_for("error");
  BOOST_REQUIRE(e);
  BOOST_TEST(e->error_code == "beta_api_shape_disabled");
  BOOST_TEST(c.wait_closed());
}

BOOST_AUTO_TEST_CASE(a_bridge_like_client_hears_the_greeting_and_gets_the_first_call) {
  fixture f;
  client c;
  auto r = connect(f.io, f.peer->url(), auth, c);
  BOOST_REQUIRE(r.conn);
  BOOST_REQUIRE(c.wait_for("session.created"));
  sb::proto::session_params p;
  p.instructions = "Caller: +15550004444";
  r.conn->send_text(sb::proto::build_session_update(p));
  BOOST_REQUIRE(c.wait_for("session.updated"));
  r.conn->send_text(sb::proto::build_response_create());
  auto done = c.wait_for("response.done");
  BOOST_REQUIRE(done);
  BOOST_TEST(done->response_status == "completed");
  // The caller's first utterance, then silence, paced as a bridge would not
  // bother to: the VAD works on stream time, not wall time.
  auto lib = *clip_library::load_default();
  std::string audio = *lib.get("caller_1") + std::string(8000, '\xFF');
  const std::size_t before = c.count();
  for (std::size_t i = 0; i < audio.size(); i += 160)
    r.conn->send_text(
        sb::proto::build_input_audio_append(sb::proto::base64_encode(audio.substr(i, 160))));
  auto call = c.wait_for("response.function_call_arguments.done", before);
  BOOST_REQUIRE(call);
  BOOST_TEST(call->name == "record_booking_details");
  r.conn->send_text(sb::proto::build_function_call_output(call->call_id, R"({"ok":true})"));
  r.conn->send_text(sb::proto::build_response_create());
  auto transcript = c.wait_for("response.output_audio_transcript.done", before);
  BOOST_REQUIRE(transcript);
  BOOST_TEST(transcript->text == "I'm sorry to hear that. Can I get your name and the address?");
  r.conn->close();
  BOOST_TEST(c.wait_closed());
  {
    std::lock_guard lock(c.mu);
    BOOST_TEST(c.schema_errors.empty());
  }
  auto stats = f.peer->stats();
  BOOST_TEST(stats.connections == 1);
  BOOST_TEST(stats.sessions_configured == 1);
  BOOST_TEST(stats.responses >= 3);
  BOOST_TEST(stats.audio_bytes_received == static_cast<int64_t>(audio.size()));
  auto sent = f.peer->client_events();
  BOOST_TEST(sent.size() == audio.size() / 160 + (audio.size() % 160 ? 1 : 0) + 4);
  for (const auto& e : sent)
    BOOST_TEST(sb::test::realtime_schema::instance().check_client_event(e) == "");
}

BOOST_AUTO_TEST_CASE(drops_the_first_connection_after_n_responses_but_not_the_second) {
  sb::net::io_runtime io{2};
  peer_options o;
  o.clips = *clip_library::load_default();
  o.scripts = {demo_script("+15550004444", "2030-01-02")};
  o.drop_after_responses = 1;
  o.delta_interval_ms = 2;
  auto peer = *realtime_peer::start(io.context(), std::move(o));
  sb::proto::session_params p;
  p.instructions = "Caller: +15550004444";
  for (int attempt = 0; attempt < 2; ++attempt) {
    client c;
    auto r = connect(io, peer->url(), auth, c);
    BOOST_REQUIRE(r.conn);
    r.conn->send_text(sb::proto::build_session_update(p));
    r.conn->send_text(sb::proto::build_response_create());
    BOOST_REQUIRE(c.wait_for("response.done"));
    if (attempt == 0) {
      BOOST_TEST(c.wait_closed());
    } else {
      std::this_thread::sleep_for(200ms);
      std::lock_guard lock(c.mu);
      BOOST_TEST(!c.closed);
    }
    if (attempt == 1)
      r.conn->close();
  }
  BOOST_TEST(peer->stats().connections == 2);
  peer->stop();
}

BOOST_AUTO_TEST_CASE(speaks_wss_with_a_certificate_from_a_test_ca) {
  sb::net::io_runtime io{2};
  auto ca = sb::net::make_test_ca("sim test CA");
  auto cert = sb::net::make_server_cert(ca, {"localhost"}, {"127.0.0.1"});
  peer_options o;
  o.clips = *clip_library::load_default();
  o.tls_cert_pem = cert.cert_pem;
  o.tls_key_pem = cert.key_pem;
  auto peer = realtime_peer::start(io.context(), std::move(o));
  BOOST_REQUIRE(peer.ok());
  BOOST_TEST((*peer)->url().rfind("wss://127.0.0.1:", 0) == 0);
  client c;
  std::promise<sb::net::ws_connect_result> p;
  sb::net::ws_client_options wo;
  wo.url = (*peer)->url();
  wo.headers = auth;
  wo.ca_pem = ca.cert_pem;
  sb::net::ws_connect(io.context(), wo, c.handlers(),
                      [&](sb::net::ws_connect_result r) { p.set_value(std::move(r)); });
  auto fut = p.get_future();
  BOOST_REQUIRE(fut.wait_for(10s) == std::future_status::ready);
  auto r = fut.get();
  BOOST_REQUIRE_MESSAGE(r.conn, r.error);
  BOOST_TEST(c.wait_for("session.created").has_value());
  r.conn->close();
  BOOST_TEST(c.wait_closed());
  (*peer)->stop();
}
