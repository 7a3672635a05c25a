#include "mini_bridge.hpp"

#include "net/http_server.hpp"
#include "net/ws_client.hpp"
#include "protocol/base64.hpp"
#include "protocol/form.hpp"
#include "protocol/media_stream.hpp"
#include "protocol/playout.hpp"
#include "protocol/realtime.hpp"
#include "protocol/twilio_signature.hpp"
#include "protocol/twiml.hpp"

#include <mutex>
#include <vector>

#include <atomic>
#include <mutex>

namespace sb::test {

namespace {

class call : public std::enable_shared_from_this<call> {
public:
  call(boost::asio::io_context& io, std::string peer_url, std::atomic<int>& truncates)
      : io_(io), peer_url_(std::move(peer_url)), truncates_(truncates) {}

  void attach(const net::ws_connection_ptr& twilio) {
    twilio_ = twilio;
    net::ws_handlers h;
    h.on_text = [self = shared_from_this()](std::string&& f) {
      self->from_twilio(f);
      return true;
    };
    h.on_close = [self = shared_from_this()](const std::string&) { self->hang_up(); };
    twilio->set_handlers(std::move(h));
  }

  void hang_up() {
    net::ws_connection_ptr twilio, openai;
    {
      std::lock_guard lock(mu_);
      hung_up_ = true;
      twilio = std::move(twilio_);
      openai = std::move(openai_);
    }
    // Closed and released outside the lock: releasing may run on_close.
    if (twilio)
      twilio->close();
    if (openai)
      openai->close();
  }

private:
  void from_twilio(const std::string& frame) {
    auto e = proto::parse_twilio_event(frame);
    if (!e)
      return;
    std::lock_guard lock(mu_);
    switch (e->type) {
    case proto::twilio_event_type::start: {
      stream_sid_ = e->stream_sid;
      const std::string from = proto::custom_parameter(*e, "from");
      net::ws_client_options o;
      o.url = peer_url_;
      o.headers = {{"Authorization", "Bearer sk-test"}};
      net::ws_handlers h;
      h.on_text = [self = shared_from_this()](std::string&& f) {
        self->from_openai(f);
        return true;
      };
      h.on_close = [self = shared_from_this()](const std::string&) { self->hang_up(); };
      net::ws_connect(io_, o, h, [self = shared_from_this(), from](net::ws_connect_result r) {
        std::lock_guard lock(self->mu_);
        if (!r.conn)
          return;
        if (self->hung_up_) { // the caller left while we connected: keep no cycle
          r.conn->close();
          return;
        }
        self->openai_ = r.conn;
        proto::session_params p;
        p.instructions = "You are the receptionist. The caller's number is " + from + ".";
        p.tools = {
            {"record_booking_details", "Saves details", R"({"type":"object","properties":{}})"},
            {"check_availability", "Checks a slot", R"({"type":"object","properties":{}})"},
            {"end_call", "Hangs up", R"({"type":"object","properties":{}})"}};
        r.conn->send_text(proto::build_session_update(p));
        r.conn->send_text(proto::build_response_create(
            "Greet the caller: \"Thanks for calling Bright Plumbing.\""));
      });
      break;
    }
    case proto::twilio_event_type::media:
      if (openai_)
        openai_->send_text(proto::build_input_audio_append(e->payload_b64));
      break;
    case proto::twilio_event_type::mark:
      tracker_.on_mark(e->mark_name);
      maybe_hang_up_locked();
      break;
    case proto::twilio_event_type::stop:
      if (openai_)
        openai_->close();
      break;
    default:
      break;
    }
  }

  void from_openai(const std::string& frame) {
    auto e = proto::parse_server_event(frame);
    if (!e)
      return;
    std::lock_guard lock(mu_);
    if (!twilio_ || !openai_)
      return;
    switch (e->type) {
    case proto::rt_type::output_audio_delta: {
      twilio_->send_text(proto::build_twilio_media(stream_sid_, e->delta));
      const std::size_t bytes = proto::base64_decoded_size(e->delta);
      twilio_->send_text(
          proto::build_twilio_mark(stream_sid_, tracker_.on_audio_sent(e->item_id, bytes)));
      break;
    }
    case proto::rt_type::speech_started:
      if (tracker_.playing()) {
        twilio_->send_text(proto::build_twilio_clear(stream_sid_));
        auto cut = tracker_.on_clear();
        if (!cut.item_id.empty() && cut.heard_ms > 0) {
          openai_->send_text(proto::build_truncate(cut.item_id, 0, cut.heard_ms));
          ++truncates_;
        }
      }
      break;
    case proto::rt_type::function_args_done:
      if (e->name == "end_call") {
        hangup_pending_ = true;
      } else {
        openai_->send_text(proto::build_function_call_output(e->call_id, R"({"ok":true})"));
        openai_->send_text(proto::build_response_create());
      }
      break;
    case proto::rt_type::response_done:
      maybe_hang_up_locked();
      break;
    default:
      break;
    }
  }

  void maybe_hang_up_locked() {
    if (hangup_pending_ && !tracker_.playing() && twilio_)
      twilio_->close(); // TwiML's <Hangup/> runs once the stream closes
  }

  boost::asio::io_context& io_;
  std::string peer_url_;
  std::atomic<int>& truncates_;
  std::mutex mu_;
  net::ws_connection_ptr twilio_, openai_;
  std::string stream_sid_;
  proto::playout_tracker tracker_;
  bool hangup_pending_ = false;
  bool hung_up_ = false;
};

class bridge_impl : public mini_bridge {
public:
  bridge_impl(boost::asio::io_context& io, mini_bridge_options o) : io_(io), o_(std::move(o)) {}

  // Calls still live when the test ends hang up, so no connection <-> call
  // cycle outlives the io loop (LeakSanitizer).
  ~bridge_impl() override {
    std::vector<std::weak_ptr<call>> calls;
    {
      std::lock_guard lock(calls_mu_);
      calls.swap(calls_);
    }
    for (auto& w : calls)
      if (auto c = w.lock())
        c->hang_up();
  }

  void listen() {
    net::http_handlers h;
    h.on_request = [this](net::http_request req, net::responder respond) {
      auto params = proto::parse_form(req.body);
      if (!params || !proto::twilio_signature_valid(o_.auth_token, public_url() + req.target,
                                                    *params, req.header("X-Twilio-Signature"))) {
        ++bad_;
        return respond(net::http_response::text(403, "bad signature"));
      }
      respond(net::http_response::xml(
          proto::twiml_connect_stream("wss://" + o_.public_host + "/realtime-stream",
                                      {{"callSid", proto::form_value(*params, "CallSid")},
                                       {"from", proto::form_value(*params, "From")}})));
    };
    h.on_upgrade = [this](const net::http_request& req,
                          const net::ws_connection_ptr& conn) -> std::optional<net::http_response> {
      if (!proto::twilio_signature_valid(o_.auth_token, "wss://" + o_.public_host + req.target, {},
                                         req.header("X-Twilio-Signature"))) {
        ++bad_;
        return net::http_response::text(403, "bad signature");
      }
      auto c = std::make_shared<call>(io_, o_.peer_url, truncates_);
      c->attach(conn);
      std::lock_guard lock(calls_mu_);
      calls_.push_back(c);
      return std::nullopt;
    };
    server_ = *net::http_server::start(io_, {}, std::move(h));
  }

  std::string server_url() const override {
    return "http://127.0.0.1:" + std::to_string(server_->port());
  }
  std::string public_url() const override { return "https://" + o_.public_host; }
  int bad_signatures() const override { return bad_; }
  int truncates_sent() const override { return truncates_; }

private:
  boost::asio::io_context& io_;
  mini_bridge_options o_;
  std::shared_ptr<net::http_server> server_;
  std::atomic<int> bad_{0}, truncates_{0};
  std::mutex calls_mu_;
  std::vector<std::weak_ptr<call>> calls_;
};

} // namespace

std::shared_ptr<mini_bridge> mini_bridge::start(boost::asio::io_context& io,
                                                mini_bridge_options o) {
  auto b = std::make_shared<bridge_impl>(io, std::move(o));
  b->listen();
  return b;
}

} // namespace sb::test
