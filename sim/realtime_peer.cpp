// The simulated Realtime peer's sockets: net's http_server accepts the
// upgrade, one peer_connection per WebSocket feeds peer_session and paces
// its audio with a steady_timer. A mutex per connection serializes the
// strand's frames and the timer's ticks.
#include "sim/realtime_peer.hpp"

#include "common/log.hpp"
#include "net/http_server.hpp"
#include "sim/peer_session.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <list>
#include <utility>
#include <vector>

namespace sb::sim {

namespace asio = boost::asio;

namespace {

class peer_connection : public std::enable_shared_from_this<peer_connection> {
public:
  peer_connection(asio::io_context& io, peer_session_config cfg,
                  std::shared_ptr<peer_shared> shared, int interval_ms, int updated_delay_ms)
      : session_(cfg, shared), shared_(std::move(shared)), timer_(io), delay_timer_(io),
        interval_ms_(interval_ms), updated_delay_ms_(updated_delay_ms),
        reset_on_drop_(cfg.drop_with_reset) {}

  void attach(const net::ws_connection_ptr& conn, bool beta) {
    std::lock_guard lock(mu_);
    conn_ = conn;
    net::ws_handlers h;
    // false pauses reading for good: a silent connection (wants_silence).
    h.on_text = [self = shared_from_this()](std::string&& frame) { return self->on_text(frame); };
    h.on_close = [self = shared_from_this()](const std::string&) { self->on_close(); };
    conn->set_handlers(std::move(h));
    // Frames queued before the handshake completes go out right after it.
    if (beta)
      session_.reject_beta();
    else
      session_.open();
    flush_locked();
  }

  void stop() {
    // Take the connection out under the lock, close and release it outside:
    // releasing it can end the session, whose on_close takes mu_ again. Not
    // keeping it also breaks the connection <-> handlers cycle when the io
    // loop stops before the close completes (on_close would never run).
    net::ws_connection_ptr conn;
    {
      std::lock_guard lock(mu_);
      closed_ = true;
      conn = std::move(conn_);
    }
    if (conn)
      conn->close();
  }

private:
  bool on_text(const std::string& frame) {
    std::lock_guard lock(mu_);
    if (closed_)
      return true;
    session_.on_text(frame);
    flush_locked();
    return !session_.wants_silence();
  }

  void on_close() {
    std::lock_guard lock(mu_);
    if (!closed_) { // not our own close: the client's (or its TCP connection went)
      std::string caller = session_.script() ? session_.script()->caller_number : "";
      bool mid_turn = session_.mid_turn();
      shared_->update([&](peer_stats& s) {
        ++s.closed_by_client[caller];
        if (mid_turn)
          s.closed_mid_turn.push_back(session_.connection());
      });
    }
    closed_ = true;
    timer_.cancel();
    delay_timer_.cancel();
    conn_.reset(); // breaks the handlers <-> connection cycle
  }

  void flush_locked() {
    if (closed_ || !conn_)
      return;
    for (auto& f : session_.take_output()) {
      if (holding(f))
        held_.push_back(std::move(f));
      else
        conn_->send_text(std::move(f));
    }
    if (session_.wants_drop() || session_.wants_close()) {
      // A drop either resets the TCP connection (RST: a network fault) or
      // closes it after the queued frames; nothing more is read or sent.
      if (session_.wants_drop() && reset_on_drop_)
        conn_->abort();
      else
        conn_->close();
      closed_ = true;
      timer_.cancel();
      return;
    }
    if (session_.wants_silence()) {
      // Connected but silent: the frames above (the last response.done) go
      // out, then nothing; on_text stops reading.
      timer_.cancel();
      return;
    }
    if (session_.streaming() && interval_ms_ <= 0) {
      // delta_interval_ms <= 0 (bench/ --bursty, issue 15.2). Back to back: the whole reply now, in
      // order, one frame per delta. Bounded: every tick sends at least one byte of a finite clip.
      for (int i = 0; i < k_max_burst && session_.streaming() && !session_.wants_drop(); ++i)
        session_.tick();
      return flush_locked();
    }
    if (session_.streaming() && !timer_armed_) {
      timer_armed_ = true;
      timer_.expires_after(std::chrono::milliseconds(interval_ms_));
      timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
        std::lock_guard lock(self->mu_);
        self->timer_armed_ = false;
        if (ec || self->closed_)
          return;
        self->session_.tick();
        self->flush_locked();
      });
    }
  }

  /// peer_options::session_updated_delay_ms: the first session.updated and
  /// everything after it wait (in order) until the delay has passed.
  bool holding(const std::string& frame) {
    if (!held_.empty())
      return true;
    if (updated_delay_ms_ <= 0 || delayed_ ||
        frame.find(R"("type":"session.updated")") == std::string::npos)
      return false;
    delayed_ = true;
    delay_timer_.expires_after(std::chrono::milliseconds(updated_delay_ms_));
    delay_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      std::lock_guard lock(self->mu_);
      auto held = std::exchange(self->held_, {});
      if (ec || self->closed_ || !self->conn_)
        return;
      for (auto& f : held)
        self->conn_->send_text(std::move(f));
      self->flush_locked();
    });
    return true;
  }

  /// Deltas sent in one go at most when back to back (1,000 s of audio).
  static constexpr int k_max_burst = 10'000;
  std::mutex mu_;
  peer_session session_;
  std::shared_ptr<peer_shared> shared_;
  asio::steady_timer timer_;
  asio::steady_timer delay_timer_;
  int interval_ms_;
  int updated_delay_ms_ = 0;
  bool delayed_ = false;          ///< the session.updated delay was applied
  std::vector<std::string> held_; ///< frames waiting for it
  bool reset_on_drop_ = false;    ///< peer_options::drop_with_reset
  net::ws_connection_ptr conn_;
  bool closed_ = false;
  bool timer_armed_ = false;
};

class peer_impl : public realtime_peer, public std::enable_shared_from_this<peer_impl> {
public:
  peer_impl(asio::io_context& io, peer_options options)
      : io_(io), options_(std::move(options)), shared_(std::make_shared<peer_shared>()) {}

  status listen() {
    net::http_server_options so;
    so.bind_address = options_.bind_address;
    so.port = options_.port;
    so.tls_cert_pem = options_.tls_cert_pem;
    so.tls_key_pem = options_.tls_key_pem;
    so.ws.max_frame_bytes = 1024 * 1024; // session.update with long instructions and tools
    if (options_.silent_after_responses >= 0)
      so.ws.idle_timeout_ms = 0; // a silent connection stays open until the client closes it
    net::http_handlers h;
    h.on_request = [](net::http_request, net::responder respond) {
      respond(net::http_response::json(
          404, R"({"error":{"type":"invalid_request_error","message":"Not found"}})"));
    };
    // Weak: connections may still be upgrading while the peer goes away.
    h.on_upgrade = [weak = weak_from_this()](
                       const net::http_request& req,
                       const net::ws_connection_ptr& conn) -> std::optional<net::http_response> {
      if (auto self = weak.lock())
        return self->on_upgrade(req, conn);
      return net::http_response::text(503, "peer stopped");
    };
    auto server = net::http_server::start(io_, so, std::move(h));
    if (!server)
      return server.err();
    server_ = std::move(*server);
    return ok_status();
  }

  std::string url() const override {
    return std::string(server_->tls() ? "wss" : "ws") + "://127.0.0.1:" + std::to_string(port()) +
           "/v1/realtime?model=gpt-realtime";
  }
  uint16_t port() const override { return server_->port(); }
  peer_stats stats() const override { return shared_->stats(); }
  std::vector<std::string> client_events() const override { return shared_->client_events(); }

  void stop() override {
    server_->stop_accepting();
    std::list<std::weak_ptr<peer_connection>> conns;
    {
      std::lock_guard lock(mu_);
      conns.swap(connections_);
    }
    for (auto& w : conns)
      if (auto c = w.lock())
        c->stop();
  }

private:
  std::optional<net::http_response> on_upgrade(const net::http_request& req,
                                               const net::ws_connection_ptr& conn) {
    if (options_.refuse_connections)
      return net::http_response::json(
          503, R"({"error":{"type":"server_error","message":"Service unavailable"}})");
    const std::string auth = req.header("Authorization");
    if (auth.rfind("Bearer ", 0) != 0 || auth.size() <= 7)
      return net::http_response::json(
          401,
          R"({"error":{"type":"invalid_request_error","code":"invalid_api_key","message":"Missing bearer authentication in header"}})");
    peer_session_config cfg{&options_.clips, &options_.scripts, options_.delta_ms,
                            options_.drop_after_responses};
    cfg.send_garbage_after_session = options_.send_garbage_after_session;
    cfg.garbage_frames = options_.garbage_frames;
    cfg.drop_with_reset = options_.drop_with_reset;
    cfg.silent_after_responses = options_.silent_after_responses;
    cfg.deaf_after_responses = options_.deaf_after_responses;
    cfg.record_client_events = options_.record_client_events;
    cfg.fixed_usage = &options_.fixed_usage;
    cfg.on_audio_received = &options_.on_audio_received;
    cfg.on_audio_sent = &options_.on_audio_sent;
    cfg.analysis = options_.analysis;
    auto pc = std::make_shared<peer_connection>(io_, cfg, shared_, options_.delta_interval_ms,
                                                updated_delay_ms());
    {
      std::lock_guard lock(mu_);
      connections_.remove_if([](const auto& w) { return w.expired(); });
      connections_.push_back(pc);
    }
    pc->attach(conn, !req.header("OpenAI-Beta").empty());
    return std::nullopt;
  }

  /// This connection's session.updated delay: the base plus a jitter that
  /// is the same on every run (connections numbered in upgrade order).
  int updated_delay_ms() {
    if (options_.session_updated_delay_ms <= 0)
      return 0;
    const auto n = static_cast<uint32_t>(upgrades_.fetch_add(1));
    const uint32_t spread = static_cast<uint32_t>(options_.session_updated_jitter_ms) + 1;
    return options_.session_updated_delay_ms + static_cast<int>((n * 2654435761u) % spread);
  }

  asio::io_context& io_;
  peer_options options_;
  std::atomic<int> upgrades_{0};
  std::shared_ptr<peer_shared> shared_;
  std::shared_ptr<net::http_server> server_;
  std::mutex mu_;
  std::list<std::weak_ptr<peer_connection>> connections_;
};

} // namespace

result<std::shared_ptr<realtime_peer>> realtime_peer::start(asio::io_context& io,
                                                            peer_options options) {
  auto peer = std::make_shared<peer_impl>(io, std::move(options));
  if (auto st = peer->listen(); !st)
    return st.err();
  return std::shared_ptr<realtime_peer>(std::move(peer));
}

} // namespace sb::sim
