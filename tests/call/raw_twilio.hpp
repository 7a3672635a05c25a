#pragma once
// A raw stand-in for Twilio, for the robustness tests: it answers nothing
// and echoes no marks, it only does what a test tells it. It POSTs the
// signed Voice webhook, reads the TwiML, opens the Media Stream with the
// signed upgrade (X-Twilio-Signature over the <Stream url>, no params;
// docs/protocols.md 1, 2), then sends whatever frames the test writes. It
// echoes each mark at once, as if the audio played instantly, so the
// server does not think audio is still playing.

#include "tests/call/call_fixture.hpp"

#include "net/ws_connection.hpp"

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>

namespace sb::test {

class raw_twilio {
public:
  /// Webhook + upgrade for a call from `from`, bounded by 10 s; fails the
  /// test if either is refused.
  raw_twilio(boost::asio::io_context& io, const e2e_env& env, const std::string& from);
  ~raw_twilio();

  const std::string& call_sid() const { return call_sid_; }
  const std::string& stream_sid() const { return stream_sid_; }

  void send(std::string frame) { conn_->send_text(std::move(frame)); }
  void close() { conn_->close(); }
  /// Stops reading the stream for good (the frame in hand is the last one
  /// read): the server's frames pile up in the kernel buffers, then in its
  /// write queue. Marks are no longer echoed either.
  void stop_reading() { state_->stalled = true; }

  /// The standard frames (docs/protocols.md 2).
  std::string connected() const;
  std::string start() const;
  std::string media(const std::string& payload_b64);
  std::string stop();

  /// Waits until the server closed the stream; false on timeout.
  bool wait_closed(std::chrono::milliseconds bound) const;
  std::string close_reason() const;
  int64_t frames_received() const { return state_->frames; }

private:
  struct shared {
    std::atomic<int64_t> frames{0};
    std::atomic<bool> closed{false};
    std::atomic<bool> stalled{false};
    std::mutex mu;
    std::string reason;
    std::weak_ptr<net::ws_connection> conn;
    std::string stream_sid;
  };
  std::string call_sid_, stream_sid_, account_sid_;
  std::vector<std::pair<std::string, std::string>> parameters_;
  std::shared_ptr<shared> state_ = std::make_shared<shared>();
  net::ws_connection_ptr conn_;
  int64_t sequence_ = 0;
};

} // namespace sb::test
