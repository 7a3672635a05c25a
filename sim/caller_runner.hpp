#pragma once
// The simulated caller's call, private to sim/: caller.cpp sets the call up
// (webhook, TwiML, signed upgrade) and ends it; caller_media.cpp runs the
// 20 ms media clock, the playout buffer, the marks and the conversation;
// caller_flow.cpp runs the TwiML verb by verb and obeys the REST stand-in.
// One mutex serializes the WebSocket strand and the timers.

#include "net/ws_connection.hpp"
#include "protocol/form.hpp"
#include "sim/caller.hpp"
#include "sim/caller_twiml.hpp"
#include "sim/media_clock.hpp"
#include "sim/twilio_rest.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <rapidjson/allocators.h>

#include <chrono>
#include <deque>
#include <mutex>

namespace sb::sim {

/// n random lowercase hex digits (SIDs).
std::string random_hex(std::size_t n);

class call_runner : public std::enable_shared_from_this<call_runner>, public call_leg {
public:
  call_runner(boost::asio::io_context& io, caller_options options,
              std::function<void(caller_result)> done);
  void start();

  // call_leg (caller_flow.cpp): the REST stand-in's updates
  void run_twiml(std::string twiml) override;
  void fetch_twiml(std::string url, std::string method) override;
  void hang_up() override;

private:
  using clock = std::chrono::steady_clock;
  enum class phase { greeting, pause, speaking, awaiting_reply, ending };

  // caller.cpp
  void on_webhook_answer(int status, const std::string& body, const std::string& err);
  void on_connected(net::ws_connection_ptr conn, const std::string& err);
  void finish_locked(bool ok, std::string error);
  void on_close(int stream_no, const std::string& reason);
  void send_locked(std::string frame);
  void event_locked(const std::string& line);
  int64_t since_start_ms() const;

  // caller_media.cpp
  void start_media_locked();
  void arm_tick_locked();
  void on_tick(int stream_no);
  void on_text(const std::string& frame);
  void advance_conversation_locked();
  void press_keys_locked(std::string keys, int gap_ms);
  void await_reply_locked(); ///< the caller spoke (or keyed): the reply comes next
  void start_speaking_locked(std::size_t turn);
  void echo_mark_locked(const std::string& name);
  void send_stop_locked();
  void send_stop_frame_locked();

  // caller_flow.cpp: TwiML verb by verb (docs/protocols.md 6)
  using http_done =
      std::function<void(int status, const std::string& body, const std::string& err)>;
  void run_document_locked(const std::string& twiml);
  void next_verb_locked();
  bool run_verb_locked(const twiml_node& verb); ///< false: it continues later (or ended the call)
  void open_stream_locked(const twiml_node& connect);
  /// follow_resume: the stream is gone without `stop`; Twilio runs what follows </Connect>.
  void stream_lost_locked();
  void run_dial_locked(const twiml_node& dial);
  void run_record_locked(const twiml_node& record);
  void recorded_locked(const twiml_node& record, int64_t ms);
  void end_stream_for_update_locked(std::function<void()> then);
  void after_locked(int64_t ms, std::function<void()> fn);
  void request_twiml_locked(const std::string& url, const std::string& method,
                            proto::form_params extra);
  void post_callback_locked(const std::string& url, proto::form_params params);
  void send_signed(const request_target& target, const std::string& method,
                   proto::form_params params, http_done done);
  proto::form_params call_params(const char* call_status) const;
  void deliver_locked();

  boost::asio::io_context& io_;
  caller_options opt_;
  std::function<void(caller_result)> done_;
  std::mutex mu_;
  caller_result res_;
  bool finished_ = false;
  bool closing_ = false;
  std::string early_close_; ///< the server closed the stream unexpectedly (res_.stream_cut) ///< we
                            ///< closed the socket (stop or vanish)
  clock::time_point t0_;

  twiml_stream stream_;
  std::string stream_sid_;
  net::ws_connection_ptr conn_;
  media_clock& media_clock_; ///< the io_context's shared 20 ms clock
  boost::asio::steady_timer deadline_timer_;
  clock::time_point media_start_;
  int64_t ticks_ = 0;
  int64_t sequence_ = 0;

  // playout: bytes [play_pos_, enq_pos_) of everything received are queued,
  // in buffer_ from buf_head_ on (played bytes are dropped in bulk, not per tick)
  std::string buffer_;
  std::size_t buf_head_ = 0;
  std::string decoded_; ///< the latest media payload, reused
  // Incoming stream messages are parsed into this reused pool (no malloc per frame).
  char parse_buf_[4096];
  rapidjson::MemoryPoolAllocator<> parse_pool_{parse_buf_, sizeof parse_buf_, 4096};
  int64_t enq_pos_ = 0, play_pos_ = 0;
  std::deque<std::pair<std::string, int64_t>> marks_; ///< name, position it follows

  // conversation
  phase phase_ = phase::greeting;
  std::size_t turn_ = 0;
  std::shared_ptr<const framed_clip> clip_;
  std::size_t clip_pos_ = 0; ///< bytes of clip_ sent (whole frames but the last)
  std::size_t clip_frame_ = 0;
  int64_t phase_ticks_ = 0;      ///< ticks spent in the current phase
  bool heard_ = false;           ///< audio received in this phase
  int64_t quiet_ms_ = 0;         ///< playout idle since audio was heard
  int64_t reply_played_ = 0;     ///< bytes of the awaited reply played
  int64_t reply_start_pos_ = -1; ///< stream position of the latest reply's first byte
  bool gap_recorded_ = false;
  clock::time_point speak_end_;
  int replies_finished_ = 0;
  /// Picked up again while pausing before turn_: after the assistant's
  /// reply on the new stream the caller says turn_, not the one after it,
  /// once the rest of its pause has passed (paused_ticks_ were spent).
  bool turn_pending_ = false;
  int64_t paused_ticks_ = 0;

  // TwiML flow (caller_flow.cpp)
  bool answered_ = false;  ///< the webhook's TwiML ran: the call was answered
  bool streaming_ = false; ///< a Media Stream is open or opening
  bool streamed_ = false;  ///< one was opened (a second only with follow_resume)
  int stream_no_ = 0;      ///< of the open stream: a late close or tick of an old one is dropped
  bool lost_ = false;      ///< the stream was lost: the next stream's first audio ends the gap
  clock::time_point last_heard_; ///< assistant audio last played out
  std::vector<twiml_node> verbs_;
  std::size_t verb_pos_ = 0;
  uint64_t generation_ = 0; ///< bumped per document and update: stale timers and answers drop
  std::function<void()> after_stream_; ///< an update's TwiML, run once the stream has closed
  int pending_posts_ = 0;              ///< callbacks in flight: the result waits for them
};

} // namespace sb::sim
