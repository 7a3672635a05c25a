#include "console/top.hpp"

#include "console/auth.hpp"
#include "console/origin.hpp"
#include "net/http_client.hpp"
#include "net/io.hpp"
#include "net/ws_client.hpp"
#include "protocol/form.hpp"

#include <rapidjson/document.h>

#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <future>
#include <memory>
#include <mutex>
#include <ostream>
#include <sstream>

namespace sb::console {

namespace {

std::string s(const rapidjson::Value& v, const char* key) {
  auto it = v.FindMember(key);
  return it != v.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

int64_t n(const rapidjson::Value& v, const char* key) {
  auto it = v.FindMember(key);
  return it != v.MemberEnd() && it->value.IsNumber() ? it->value.GetInt64() : 0;
}

std::string fit(std::string x, std::size_t w) {
  if (x.size() > w)
    x = x.substr(0, w - 1) + "~";
  return x + std::string(w - x.size() + 1, ' ');
}

std::string duration(int64_t ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld:%02lld", static_cast<long long>(ms / 60000),
                static_cast<long long>(ms / 1000 % 60));
  return buf;
}

int64_t tokens(const rapidjson::Value& c) {
  const auto& u = c["usage"];
  return n(u, "inputAudio") + n(u, "inputText") + n(u, "outputAudio") + n(u, "outputText");
}

std::string cost(const rapidjson::Value& c) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "$%.4f", c["costUsd"].GetDouble());
  return buf;
}

bool iequals(const std::string& a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

} // namespace

std::string render_top(const std::string& json, const std::string& server) {
  rapidjson::Document d;
  d.Parse(json.c_str());
  if (d.HasParseError() || !d.IsObject() || !d.HasMember("calls"))
    return "bad snapshot\n";
  std::ostringstream o;
  const auto& calls = d["calls"];
  o << "switchboard top  " << server << "  active calls: " << calls.Size() << "\n\n";
  o << fit("CALL", 34) << fit("TENANT", 18) << fit("CALLER", 14) << fit("TIME", 6)
    << fit("STATE", 12) << fit("TURNS", 5) << fit("BARGE", 5) << fit("TOKENS", 7) << "COST\n";
  for (const auto& c : calls.GetArray()) {
    std::string tenant = s(c, "tenantName").empty() ? s(c, "tenant") : s(c, "tenantName");
    o << fit(s(c, "callSid"), 34) << fit(tenant, 18) << fit(s(c, "from"), 14)
      << fit(duration(n(c, "durationMs")), 6) << fit(s(c, "state"), 12)
      << fit(std::to_string(n(c, "turns")), 5) << fit(std::to_string(n(c, "bargeIns")), 5)
      << fit(std::to_string(tokens(c)), 7) << cost(c) << "\n";
    o << "    " << fit("ACTOR", 20) << fit("STATE", 14) << fit("IN", 7) << fit("OUT", 7)
      << fit("MBOX", 5) << fit("RESTARTS", 8) << "LAST ERROR\n";
    const auto& actors = c["actors"];
    for (rapidjson::SizeType i = 0; i < actors.Size(); ++i) {
      const auto& a = actors[i];
      std::string name = (i == 0 ? "" : i + 1 == actors.Size() ? "`- " : "|- ") + s(a, "name");
      o << "    " << fit(name, 20) << fit(s(a, "state"), 14)
        << fit(std::to_string(n(a, "messagesIn")), 7) << fit(std::to_string(n(a, "messagesOut")), 7)
        << fit(std::to_string(n(a, "mailbox")), 5) << fit(std::to_string(n(a, "restarts")), 8)
        << s(a, "lastError") << "\n";
    }
    const auto& lines = c["lines"];
    for (rapidjson::SizeType i = lines.Size() > 3 ? lines.Size() - 3 : 0; i < lines.Size(); ++i) {
      const auto& l = lines[i];
      o << "    > " << s(l, "kind") << ": " << s(l, "text");
      if (!s(l, "unheard").empty()) // a reply cut by a barge-in
        o << " [not heard: " << s(l, "unheard") << "]";
      if (n(l, "latencyMs") >= 0)
        o << "  [" << n(l, "latencyMs") << " ms]";
      o << "\n";
    }
    o << "\n";
  }
  const auto& finished = d["finished"];
  if (finished.Size() > 0) {
    o << "RECENT\n";
    for (rapidjson::SizeType i = 0; i < finished.Size() && i < 5; ++i) {
      const auto& c = finished[i];
      o << "  " << fit(s(c, "callSid"), 34) << fit(s(c, "from"), 14)
        << fit(duration(n(c, "durationMs")), 6) << fit(s(c, "endReason"), 18) << "job #"
        << n(c, "jobId") << "  " << s(c["booking"], "service") << "\n";
    }
  }
  return o.str();
}

namespace {

struct login_result {
  std::string session; ///< the session cookie's value; empty: refused
  int exit_code = 0;   ///< run_top's, when refused
};

/// Logs in like the page: the feed takes only the session cookie. When
/// refused, says why on `err`.
login_result log_in(boost::asio::io_context& io, const top_options& opt, std::ostream& err) {
  net::http_client_request login;
  login.url = opt.url + "/console/login";
  login.content_type = "application/x-www-form-urlencoded";
  login.body = proto::encode_form({{"token", opt.token}});
  // The console refuses a POST without this server's Origin (console/origin.hpp).
  login.headers.emplace_back("Origin", normalized_origin(opt.url));
  auto lp = std::make_shared<std::promise<net::http_client_result>>();
  auto lf = lp->get_future();
  net::http_send(io, login, [lp](net::http_client_result r) { lp->set_value(std::move(r)); });
  auto lr = lf.get();
  if (lr.status == 0) {
    err << "switchboard top: cannot reach " << opt.url << ": " << lr.error << "\n";
    return {{}, 1};
  }
  std::string session;
  for (const auto& [k, v] : lr.headers)
    if (iequals(k, "Set-Cookie"))
      session = console_auth::cookie_value(v, cookie_name);
  if (lr.status != 303 || session.empty()) {
    err << "switchboard top: login refused (HTTP " << lr.status << ")\n";
    return {{}, lr.status == 404 ? 1 : 2};
  }
  return {session, 0};
}

/// The feed's latest snapshot and its end. Its handlers may run on the io
/// thread until `io` is joined: what they touch is shared, not on a stack.
struct feed_state {
  std::mutex mtx;
  std::condition_variable cv;
  std::string latest;
  bool closed = false;
  std::string close_reason;
};

/// Subscribes to /console/feed with the session cookie; frames and the
/// close land in `fs`.
net::ws_connect_result open_feed(boost::asio::io_context& io, const top_options& opt,
                                 const std::string& session,
                                 const std::shared_ptr<feed_state>& fs) {
  net::ws_client_options wo;
  wo.url = (opt.url.rfind("https://", 0) == 0 ? "wss://" + opt.url.substr(8)
                                              : "ws://" + opt.url.substr(7)) +
           "/console/feed";
  wo.headers.emplace_back("Cookie", std::string{cookie_name} + "=" + session);
  wo.headers.emplace_back("Origin", normalized_origin(opt.url));
  wo.limits.max_frame_bytes = 16 * 1024 * 1024;
  net::ws_handlers h{[fs](std::string&& text) {
                       std::lock_guard<std::mutex> g{fs->mtx};
                       fs->latest = std::move(text);
                       fs->cv.notify_all();
                       return true;
                     },
                     [fs](const std::string& reason) {
                       std::lock_guard<std::mutex> g{fs->mtx};
                       fs->closed = true;
                       fs->close_reason = reason;
                       fs->cv.notify_all();
                     }};
  auto cp = std::make_shared<std::promise<net::ws_connect_result>>();
  auto cf = cp->get_future();
  net::ws_connect(io, wo, h, [cp](net::ws_connect_result r) { cp->set_value(std::move(r)); });
  return cf.get();
}

struct draw_result {
  int frames = 0;
  std::string close_reason; ///< the feed's, when it ended
};

/// Redraws the screen from each snapshot (the first within 10 s, then at
/// most one a second) until done as asked (once, max_frames) or the feed
/// ends.
draw_result draw_feed(feed_state& fs, const top_options& opt, std::ostream& out) {
  int frames = 0;
  std::unique_lock<std::mutex> lock{fs.mtx};
  fs.cv.wait_for(lock, std::chrono::seconds{10}, [&] { return !fs.latest.empty() || fs.closed; });
  while (true) {
    if (fs.latest.empty() || fs.closed)
      break;
    if (!opt.once)
      out << "\x1b[H\x1b[2J"; // home, clear: a full redraw
    out << render_top(fs.latest, opt.url) << std::flush;
    ++frames;
    if (opt.once || (opt.max_frames > 0 && frames >= opt.max_frames))
      break;
    fs.cv.wait_for(lock, std::chrono::seconds{1}, [&] { return fs.closed; });
  }
  return {frames, fs.close_reason};
}

} // namespace

int run_top(const top_options& opt, std::ostream& out, std::ostream& err) {
  if (opt.token.empty()) {
    err << "switchboard top: set SWITCHBOARD_CONSOLE_TOKEN to the server's console token\n";
    return 2;
  }
  net::io_runtime io{1};
  const login_result login = log_in(io.context(), opt, err);
  if (login.session.empty())
    return login.exit_code;
  auto fs = std::make_shared<feed_state>();
  auto cr = open_feed(io.context(), opt, login.session, fs);
  if (!cr.conn) {
    err << "switchboard top: feed refused: " << cr.error << "\n";
    return 1;
  }
  const draw_result d = draw_feed(*fs, opt, out);
  // Done as asked (once, or max_frames), or the feed ended under us.
  bool ok = d.frames > 0 && (opt.once || (opt.max_frames > 0 && d.frames >= opt.max_frames));
  cr.conn->close();
  if (!ok)
    err << "switchboard top: the feed ended"
        << (d.close_reason.empty() ? "" : ": " + d.close_reason) << "\n";
  return ok ? 0 : 1;
}

} // namespace sb::console
