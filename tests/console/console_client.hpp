#pragma once
// Test clients for the console: HTTP with an optional session cookie, the
// login, and a feed subscriber that keeps every snapshot it receives.

#include "console/origin.hpp"
#include "net/http_client.hpp"
#include "net/ws_client.hpp"

#include <boost/test/unit_test.hpp>

#include <rapidjson/document.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace sb::console::test {

using namespace std::chrono_literals;

inline std::string header_of(const net::http_client_result& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
          return std::tolower(a) == std::tolower(b);
        }))
      return v;
  return "";
}

inline net::http_client_result send(boost::asio::io_context& io, net::http_client_request r) {
  auto p = std::make_shared<std::promise<net::http_client_result>>();
  auto f = p->get_future();
  net::http_send(io, std::move(r),
                 [p](net::http_client_result res) { p->set_value(std::move(res)); });
  BOOST_REQUIRE_MESSAGE(f.wait_for(10s) == std::future_status::ready, "no HTTP result in 10 s");
  return f.get();
}

/// A request as the console page makes it: with the Origin of `url`, unless
/// `extra` names an Origin (an empty one: none at all).
inline net::http_client_result request(boost::asio::io_context& io, const std::string& method,
                                       const std::string& url, const std::string& cookie = "",
                                       const std::string& body = "", net::header_list extra = {}) {
  net::http_client_request r;
  r.method = method;
  r.url = url;
  r.content_type = body.empty() ? "" : "application/x-www-form-urlencoded";
  r.body = body;
  auto origin =
      std::find_if(extra.begin(), extra.end(), [](const auto& h) { return h.first == "Origin"; });
  if (origin == extra.end())
    extra.emplace_back("Origin", console::normalized_origin(url));
  else if (origin->second.empty())
    extra.erase(origin);
  r.headers = std::move(extra);
  if (!cookie.empty())
    r.headers.emplace_back("Cookie", "sb_console=" + cookie);
  return send(io, std::move(r));
}

/// Logs in; returns the session id from Set-Cookie.
inline std::string login(boost::asio::io_context& io, const std::string& base,
                         const std::string& token) {
  auto r = request(io, "POST", base + "/console/login", "", "token=" + token);
  BOOST_REQUIRE_EQUAL(r.status, 303);
  auto c = header_of(r, "Set-Cookie");
  auto eq = c.find('=');
  auto semi = c.find(';');
  BOOST_REQUIRE(c.rfind("sb_console=", 0) == 0 && semi != std::string::npos);
  return c.substr(eq + 1, semi - eq - 1);
}

/// A subscriber of /console/feed keeping every frame.
class feed_client {
public:
  /// Connects; `status` gets the refused upgrade's HTTP status (0: connected).
  /// `origin`: the Origin header ("-": base's, as a browser sends; "": none).
  feed_client(boost::asio::io_context& io, const std::string& base, const std::string& cookie,
              const std::string& origin = "-") {
    net::ws_client_options o;
    o.url = "ws://" + base.substr(7) + "/console/feed";
    if (!origin.empty())
      o.headers.emplace_back("Origin", origin == "-" ? console::normalized_origin(base) : origin);
    if (!cookie.empty())
      o.headers.emplace_back("Cookie", "sb_console=" + cookie);
    o.limits.max_frame_bytes = 16 * 1024 * 1024;
    auto st = state_;
    net::ws_handlers h{[st](std::string&& text) {
                         std::lock_guard<std::mutex> g{st->mtx};
                         st->frames.push_back(std::move(text));
                         return true;
                       },
                       [st](const std::string&) {
                         std::lock_guard<std::mutex> g{st->mtx};
                         st->closed = true;
                       }};
    auto p = std::make_shared<std::promise<net::ws_connect_result>>();
    auto f = p->get_future();
    net::ws_connect(io, o, h, [p](net::ws_connect_result r) { p->set_value(std::move(r)); });
    BOOST_REQUIRE(f.wait_for(10s) == std::future_status::ready);
    auto r = f.get();
    conn_ = r.conn;
    status = conn_ ? 0 : r.http_status;
  }
  ~feed_client() {
    if (conn_)
      conn_->close();
  }

  int status = 0;

  /// The server closed the feed.
  bool closed() const {
    std::lock_guard<std::mutex> g{state_->mtx};
    return state_->closed;
  }

  std::vector<std::string> frames() const {
    std::lock_guard<std::mutex> g{state_->mtx};
    return state_->frames;
  }

  /// Waits until some snapshot satisfies `pred`; returns it (empty on timeout).
  std::string wait_for(const std::function<bool(const rapidjson::Document&)>& pred,
                       std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::size_t seen = 0;
    while (std::chrono::steady_clock::now() < deadline) {
      auto all = frames();
      for (; seen < all.size(); ++seen) {
        rapidjson::Document d;
        d.Parse(all[seen].c_str());
        if (!d.HasParseError() && d.IsObject() && pred(d))
          return all[seen];
      }
      std::this_thread::sleep_for(50ms);
    }
    return "";
  }

private:
  struct shared {
    std::mutex mtx;
    std::vector<std::string> frames;
    bool closed = false;
  };
  std::shared_ptr<shared> state_ = std::make_shared<shared>();
  net::ws_connection_ptr conn_;
};

inline const rapidjson::Value* find_call(const rapidjson::Value& list, const std::string& sid) {
  for (const auto& c : list.GetArray())
    if (sid.empty() || c["callSid"].GetString() == sid)
      return &c;
  return nullptr;
}

inline const rapidjson::Value* find_actor(const rapidjson::Value& call, const std::string& name) {
  for (const auto& a : call["actors"].GetArray())
    if (a["name"].GetString() == name)
      return &a;
  return nullptr;
}

} // namespace sb::console::test
