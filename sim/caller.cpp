// The simulated caller's call set-up and end: the signed Voice webhook, the
// TwiML answer, the signed Media Stream upgrade (docs/protocols.md 1, 2).
#include "sim/caller.hpp"

#include "net/http_client.hpp"
#include "net/ws_client.hpp"
#include "protocol/form.hpp"
#include "protocol/twilio_signature.hpp"
#include "sim/caller_runner.hpp"

#include <boost/asio/post.hpp>

#include <random>

namespace sb::sim {

namespace {

constexpr const char* webhook_path = "/telephony/realtime-inbound-voice";

} // namespace

std::string random_hex(std::size_t n) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char digits[] = "0123456789abcdef";
  std::string s;
  for (std::size_t i = 0; i < n; ++i)
    s += digits[rng() % 16];
  return s;
}

call_runner::call_runner(boost::asio::io_context& io, caller_options options,
                         std::function<void(caller_result)> done)
    : io_(io), opt_(std::move(options)), done_(std::move(done)),
      media_clock_(boost::asio::use_service<media_clock>(io)), deadline_timer_(io) {}

int64_t call_runner::since_start_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - t0_).count();
}

void call_runner::event_locked(const std::string& line) {
  if (opt_.on_event)
    opt_.on_event(line);
}

void call_runner::start() {
  std::lock_guard lock(mu_);
  t0_ = clock::now();
  res_.call_sid = opt_.call_sid.empty() ? "CA" + random_hex(32) : opt_.call_sid;
  stream_sid_ = "MZ" + random_hex(32);
  if (!opt_.clips)
    return finish_locked(false, "no clip library");
  deadline_timer_.expires_after(std::chrono::milliseconds(opt_.max_call_ms));
  deadline_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    std::lock_guard lock(self->mu_);
    if (!ec)
      self->finish_locked(false, "call took longer than max_call_ms");
  });
  if (opt_.rest)
    opt_.rest->call_placed(res_.call_sid, opt_.script.caller_number, opt_.to_number,
                           weak_from_this());
  event_locked("ringing: " + opt_.script.caller_number + " -> " + opt_.to_number);
  send_signed(
      {opt_.public_url + webhook_path, opt_.server_url + webhook_path}, "POST",
      call_params("ringing"),
      [self = shared_from_this()](int status, const std::string& body, const std::string& err) {
        self->on_webhook_answer(status, body, err);
      });
}

void call_runner::on_webhook_answer(int status, const std::string& body, const std::string& err) {
  std::lock_guard lock(mu_);
  if (finished_)
    return;
  res_.twiml = body;
  if (!err.empty() || status != 200)
    return finish_locked(false,
                         "webhook: " + (err.empty() ? "HTTP " + std::to_string(status) : err));
  if (generation_ > 0)
    return; // a REST update got there first and runs its own TwiML
  answered_ = true;
  if (opt_.rest)
    opt_.rest->call_status(res_.call_sid, "in-progress");
  run_document_locked(body);
}

void call_runner::open_stream_locked(const twiml_node& connect) {
  auto stream = stream_of(connect);
  if (!stream)
    return finish_locked(false, "TwiML: " + stream.err().message);
  if (streamed_ && !opt_.follow_resume)
    return finish_locked(false, "TwiML: a second <Connect><Stream> is not simulated");
  if (streamed_) { // picked up again: a new stream, the caller awaits the assistant
    event_locked("picked up again: a new stream");
    stream_sid_ = "MZ" + random_hex(32);
    sequence_ = ticks_ = 0;
    buffer_.clear();
    buf_head_ = 0;
    enq_pos_ = play_pos_;
    marks_.clear();
    closing_ = false;
    early_close_.clear(); // the cut is healed
    res_.stream_cut = false;
    turn_pending_ = phase_ == phase::pause; // lost before it said turn_: say it after the reply
    paused_ticks_ = turn_pending_ ? phase_ticks_ : 0;
    await_reply_locked();
  }
  streamed_ = streaming_ = true;
  ++res_.streams;
  const int no = ++stream_no_;
  stream_ = std::move(*stream);
  net::ws_client_options wo;
  wo.url = stream_connect_url(opt_.server_url, stream_.url);
  wo.ca_pem = opt_.ca_pem;
  // A caller that stops reading must not time itself out: Beast's idle timer
  // counts only what is read (net/ws_session.cpp), so it would close at 30 s.
  if (opt_.stop_reading)
    wo.limits.idle_timeout_ms = 0;
  // Twilio signs the upgrade over the <Stream url> exactly, with no params.
  wo.headers.emplace_back("X-Twilio-Signature",
                          proto::twilio_signature(opt_.auth_token, stream_.url, {}));
  net::ws_handlers h;
  h.on_text = [self = shared_from_this(), more = !opt_.stop_reading](std::string&& frame) {
    self->on_text(frame);
    return more; // false: reading pauses for good (stop_reading)
  };
  h.on_close = [self = shared_from_this(), no](const std::string& reason) {
    self->on_close(no, reason);
  };
  net::ws_connect(io_, std::move(wo), std::move(h),
                  [self = shared_from_this()](net::ws_connect_result r) {
                    self->on_connected(std::move(r.conn), r.error);
                  });
}

void call_runner::on_connected(net::ws_connection_ptr conn, const std::string& err) {
  std::lock_guard lock(mu_);
  if (finished_ || !streaming_) { // ended, or an update ended the stream while it opened
    if (conn)
      conn->close();
    return;
  }
  if (!conn)
    return finish_locked(false, "stream: " + err);
  conn_ = std::move(conn);
  event_locked("stream connected");
  start_media_locked();
}

void call_runner::send_locked(std::string frame) {
  if (conn_ && !closing_)
    conn_->send_text(std::move(frame));
}

void call_runner::on_close(int stream_no, const std::string& reason) {
  std::lock_guard lock(mu_);
  if (finished_ || stream_no != stream_no_) // an old stream's close, after a resume
    return;
  conn_.reset();
  if (after_stream_) { // an update ended the stream: its TwiML runs now
    closing_ = false;
    auto then = std::move(after_stream_);
    after_stream_ = nullptr;
    return then();
  }
  if (closing_)
    return finish_locked(res_.error.empty(), res_.error);
  // The server hung up (end_call). Fine once the last reply has started.
  res_.server_hung_up = true;
  event_locked("server hung up");
  const bool last_turn = opt_.script.turns.empty() || turn_ + 1 >= opt_.script.turns.size();
  const bool expected =
      (opt_.script.assistant_hangs_up && last_turn &&
       ((phase_ == phase::awaiting_reply && heard_) || phase_ == phase::ending)) ||
      (opt_.script.stays_on_line && last_turn &&
       (phase_ == phase::awaiting_reply || phase_ == phase::ending));
  if (!expected) {
    // Twilio runs what follows </Connect> however the stream ended; the
    // call still counts as failed unless the test expects the cut.
    res_.stream_cut = true;
    early_close_ = "server closed the stream early" + (reason.empty() ? "" : ": " + reason);
    event_locked(early_close_);
  }
  if (opt_.follow_resume && !expected)
    return stream_lost_locked();
  streaming_ = false;
  next_verb_locked(); // Twilio runs the TwiML after </Connect> (ours: <Hangup/>)
}

void call_runner::stream_lost_locked() {
  streaming_ = false;
  lost_ = true;
  ++stream_no_; // whatever the old stream still reports is stale
  if (conn_) {
    opt_.vanish_with_reset ? conn_->abort() : conn_->close();
    conn_.reset();
  }
  event_locked("the stream is lost: Twilio runs what follows </Connect>");
  next_verb_locked();
}

void call_runner::finish_locked(bool ok, std::string error) {
  if (finished_)
    return;
  if (ok && !early_close_.empty() && !opt_.expect_stream_cut) {
    ok = false;
    error = early_close_;
  }
  finished_ = true;
  res_.ok = ok;
  res_.error = std::move(error);
  res_.final_status = answered_ ? "completed" : "failed";
  // The media clock's pending tick sees finished_ and lets go of this call.
  deadline_timer_.cancel();
  if (conn_) {
    conn_->close();
    conn_.reset();
  }
  if (opt_.rest)
    opt_.rest->call_status(res_.call_sid, res_.final_status);
  event_locked(ok ? "call ended" : "call failed: " + res_.error);
  if (pending_posts_ == 0)
    deliver_locked(); // else the last callback's answer delivers
}

void call_runner::deliver_locked() {
  boost::asio::post(io_, [done = std::move(done_), res = res_]() mutable {
    if (done)
      done(std::move(res));
  });
  done_ = nullptr;
}

void run_caller(boost::asio::io_context& io, caller_options options,
                std::function<void(caller_result)> done) {
  std::make_shared<call_runner>(io, std::move(options), std::move(done))->start();
}

} // namespace sb::sim
