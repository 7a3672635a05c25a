#pragma once
// The simulated caller's call, private to sim/: caller.cpp sets the call up
// (webhook, TwiML, signed upgrade) and ends it; caller_media.cpp runs the
// 20 ms media clock, the playout buffer, the marks and the conversation.
// One mutex serializes the WebSocket strand and the timers.

#include "net/ws_connection.hpp"
#include "sim/caller.hpp"
#include "sim/caller_twiml.hpp"
#include "sim/media_clock.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <rapidjson/allocators.h>

#include <chrono>
#include <deque>
#include <mutex>

namespace sb::sim {

class call_runner : public std::enable_shared_from_this<call_runner> {
public:
  call_runner(boost::asio::io_context& io, caller_options options,
              std::function<void(caller_result)> done);
  void start();

private:
  using clock = std::chrono::steady_clock;
  enum class phase { greeting, pause, speaking, awaiting_reply, ending };

  // caller.cpp
  void on_webhook_answer(int status, const std::string& body, const std::string& err);
  void on_connected(net::ws_connection_ptr conn, const std::string& err);
  void finish_locked(bool ok, std::string error);
  void on_close(const std::string& reason);
  void send_locked(std::string frame);
  void event_locked(const std::string& line);
  int64_t since_start_ms() const;

  // caller_media.cpp
  void start_media_locked();
  void arm_tick_locked();
  void on_tick();
  void on_text(const std::string& frame);
  void advance_conversation_locked();
  void start_speaking_locked(std::size_t turn);
  void echo_mark_locked(const std::string& name);
  void send_stop_locked();

  boost::asio::io_context& io_;
  caller_options opt_;
  std::function<void(caller_result)> done_;
  std::mutex mu_;
  caller_result res_;
  bool finished_ = false;
  bool closing_ = false; ///< we closed the socket (stop or vanish)
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
};

} // namespace sb::sim
