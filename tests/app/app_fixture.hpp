#pragma once
// A real Switchboard server for tests: a fresh SQLite file in a unique temp
// dir with one tenant, the actors and the HTTP server on 127.0.0.1:0. The
// OpenAI leg points at a closed loopback port, so nothing leaves the machine.
// Clients talk to it over real sockets; every wait has a deadline.

#include "app/server.hpp"
#include "common/log.hpp"
#include "net/http_client.hpp"
#include "net/io.hpp"
#include "protocol/form.hpp"
#include "protocol/twilio_signature.hpp"
#include "storage/store.hpp"
#include "tests/support/eventually.hpp"

#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

namespace sb::app::test {

using namespace std::chrono_literals;

inline constexpr const char* public_url = "https://switchboard.test";
inline constexpr const char* auth_token = "test-token";
inline constexpr const char* tenant_number = "+15551230000";
inline constexpr const char* caller_number = "+15557654321";
inline constexpr const char* inbound_path = "/telephony/realtime-inbound-voice";
inline constexpr const char* recording_path = "/telephony/realtime-recording-status";

/// A fresh directory under the system temp dir, removed with its contents.
class temp_dir {
public:
  temp_dir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "sb-app-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr)
      throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
  std::filesystem::path path_;
};

/// A loopback port nobody listens on (bound, then released).
inline uint16_t closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot find a free port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

using sb::test::eventually;

/// Case-insensitive header lookup in a client result; "" when absent.
inline std::string header_of(const net::http_client_result& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
          return std::tolower(a) == std::tolower(b);
        }))
      return v;
  }
  return "";
}

/// The server under test plus a client io loop.
class test_server {
public:
  /// `tweak` edits the test configuration before the server starts.
  explicit test_server(const std::function<void(config&)>& tweak = {}) {
    log::set_level(log::level::off);
    cfg_.server.bind_address = "127.0.0.1";
    cfg_.server.port = 0;
    cfg_.server.public_url = public_url;
    cfg_.server.shutdown_grace = 100ms;
    cfg_.twilio.auth_token = auth_token;
    cfg_.openai.realtime_url = "ws://127.0.0.1:" + std::to_string(closed_port()) + "/v1/realtime";
    cfg_.openai.connect_timeout = 1000ms;
    cfg_.storage.path = dir_.file("switchboard.db");
    if (tweak)
      tweak(cfg_);
    // The tenant, unless a server before this one on the same database
    // (PostgreSQL: several nodes) added it.
    if (auto db = storage::store::open(cfg_.storage.path); !db.ok() || !has_tenant(**db)) {
      BOOST_REQUIRE_MESSAGE(db.ok(), "store open failed");
      storage::tenant t;
      t.number = tenant_number;
      t.name = "Acme Plumbing";
      t.greeting = "Thanks for calling Acme Plumbing!";
      auto added = (*db)->add_tenant(t);
      // A second server on one PostgreSQL database finds the tenant there.
      BOOST_REQUIRE(added.ok() || added.err().code == "exists");
    }
    auto started = server::start(cfg_);
    BOOST_REQUIRE_MESSAGE(started.ok(),
                          "server start failed: " << (started.ok() ? "" : started.err().message));
    server_ = std::move(started).value();
  }

  server& srv() { return *server_; }
  static bool has_tenant(storage::store& db) {
    auto found = db.find_tenant(tenant_number);
    return found.ok() && found->has_value();
  }
  const config& cfg() const { return cfg_; }
  uint16_t port() const { return server_->port(); }
  std::string base_url() const {
    return std::string{cfg_.server.tls_cert.empty() ? "http" : "https"} +
           "://127.0.0.1:" + std::to_string(port());
  }

  /// Sends a request and waits for its result (at most 10 s).
  net::http_client_result send(net::http_client_request r) {
    auto p = std::make_shared<std::promise<net::http_client_result>>();
    auto f = p->get_future();
    net::http_send(client_io_.context(), std::move(r),
                   [p](net::http_client_result res) { p->set_value(std::move(res)); });
    BOOST_REQUIRE_MESSAGE(f.wait_for(10s) == std::future_status::ready, "no HTTP result in 10 s");
    return f.get();
  }

  net::http_client_result get(const std::string& path, const std::string& ca_pem = "") {
    net::http_client_request r;
    r.method = "GET";
    r.url = base_url() + path;
    r.content_type.clear();
    r.ca_pem = ca_pem;
    return send(std::move(r));
  }

  /// POSTs a form; signed over public_url + path unless `signature` is given.
  net::http_client_result post_form(const std::string& path, const proto::form_params& params,
                                    std::optional<std::string> signature = std::nullopt) {
    return send(form_request(path, params, std::move(signature)));
  }

  /// POSTs a signed form without waiting: its result comes in the future
  /// (many webhooks at once).
  std::future<net::http_client_result> post_form_async(const std::string& path,
                                                       const proto::form_params& params) {
    auto p = std::make_shared<std::promise<net::http_client_result>>();
    auto f = p->get_future();
    net::http_send(client_io_.context(), form_request(path, params, std::nullopt),
                   [p](net::http_client_result res) { p->set_value(std::move(res)); });
    return f;
  }

  /// A fresh view of the database (WAL: reads next to the live server).
  std::unique_ptr<storage::store> open_store() {
    auto db = storage::store::open(cfg_.storage.path);
    BOOST_REQUIRE_MESSAGE(db.ok(), "store open failed");
    return std::move(db).value();
  }

  /// The stored call, polled until `pred` holds (at most `timeout`).
  std::optional<storage::call_record>
  wait_for_call(const std::string& sid,
                const std::function<bool(const storage::call_record&)>& pred,
                std::chrono::milliseconds timeout = 10s) {
    auto db = open_store();
    std::optional<storage::call_record> last;
    eventually(
        [&] {
          auto c = db->get_call(sid);
          if (!c.ok() || !c->has_value())
            return false;
          last = **c;
          return pred(*last);
        },
        timeout);
    return last;
  }

  net::io_runtime& client_io() { return client_io_; }

private:
  net::http_client_request form_request(const std::string& path, const proto::form_params& params,
                                        std::optional<std::string> signature) const {
    net::http_client_request r;
    r.method = "POST";
    r.url = base_url() + path;
    r.content_type = "application/x-www-form-urlencoded";
    r.body = proto::encode_form(params);
    std::string sig =
        signature ? *signature
                  : proto::twilio_signature(auth_token, std::string{public_url} + path, params);
    if (!sig.empty())
      r.headers.emplace_back("X-Twilio-Signature", sig);
    return r;
  }

  temp_dir dir_;
  config cfg_;
  std::unique_ptr<server> server_;
  net::io_runtime client_io_{1}; // destroyed before the server
};

/// The form Twilio POSTs to the Voice webhook (docs/protocols.md 1).
inline proto::form_params inbound_form(const std::string& call_sid,
                                       const std::string& to = tenant_number) {
  return {{"AccountSid", "ACtest"}, {"CallSid", call_sid},   {"CallStatus", "ringing"},
          {"Direction", "inbound"}, {"From", caller_number}, {"To", to}};
}

} // namespace sb::app::test
