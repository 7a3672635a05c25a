#include "relay/media_relay.hpp"

#include "common/time.hpp"
#include "protocol/base64.hpp"
#include "protocol/media_stream.hpp"
#include "protocol/mulaw.hpp"
#include "protocol/realtime.hpp"

#include <utility>

namespace sb::relay {

namespace {

/// Caller audio held while no session is configured, and the window of sent
/// frames kept for locating speech_stopped: 10 s of 20 ms frames.
constexpr std::size_t max_frames = 500;

} // namespace

media_relay::media_relay(std::shared_ptr<metrics::switchboard_metrics> metrics,
                         first_audio_fn on_first_audio)
    : metrics_(std::move(metrics)), on_first_audio_(std::move(on_first_audio)) {
  playout_.set_prefix("a");
}

// -- the Twilio leg --

void media_relay::attach_twilio(net::ws_connection_ptr conn, std::string stream_sid) {
  std::lock_guard lock{mutex_};
  twilio_ = std::move(conn);
  stream_sid_ = std::move(stream_sid);
  for (auto& h : held_out_)
    send_down(h.item_id, h.payload_b64, h.received_us);
  held_out_.clear();
}

void media_relay::caller_audio(std::string_view payload_b64, int64_t stream_ms,
                               int64_t received_us) {
  std::lock_guard lock{mutex_};
  playout_.on_stream_time(stream_ms);
  if (recorder_)
    if (auto audio = proto::base64_decode(payload_b64))
      recorder_->caller_frame(stream_ms, *audio);
  if (openai_ && ready_)
    return send_up(payload_b64, received_us);
  held_in_.push_back({std::string{payload_b64}, received_us});
  if (held_in_.size() > max_frames) { // the oldest goes
    held_in_.pop_front();
    ++held_dropped_;
  }
}

void media_relay::start_recording(std::unique_ptr<recording::call_recorder> recorder) {
  std::lock_guard lock{mutex_};
  recorder_ = std::move(recorder);
}

void media_relay::stop_recording() {
  std::unique_ptr<recording::call_recorder> done;
  {
    std::lock_guard lock{mutex_};
    done = std::move(recorder_);
  }
  if (done)
    done->finish();
}

void media_relay::caller_heard(std::string_view mark_name) {
  std::lock_guard lock{mutex_};
  playout_.on_mark(mark_name);
  close_if_played();
}

barge_in_cut media_relay::barge_in() {
  std::lock_guard lock{mutex_};
  barge_in_cut cut;
  if (!twilio_ || !playout_.playing())
    return cut;
  twilio_->send_text(proto::build_twilio_clear(stream_sid_));
  auto c = playout_.on_clear();
  if (recorder_)
    recorder_->cleared();
  cut.cleared = true;
  cut.item_id = c.item_id;
  cut.heard_ms = c.heard_ms;
  cut.sent_ms = static_cast<int64_t>(sent_bytes_[c.item_id]) / proto::mulaw_bytes_per_ms;
  if (!c.item_id.empty())
    cut_items_.insert(c.item_id);
  close_if_played();
  return cut;
}

bool media_relay::playing() const {
  std::lock_guard lock{mutex_};
  return !held_out_.empty() || playout_.playing();
}

void media_relay::hang_up_after_playout() {
  std::lock_guard lock{mutex_};
  hanging_up_ = true;
  close_if_played();
}

void media_relay::notify_when_played(std::function<void()> fn) {
  std::lock_guard lock{mutex_};
  when_played_ = std::move(fn);
  close_if_played();
}

void media_relay::play_then_hang_up(std::string_view audio) {
  std::lock_guard lock{mutex_};
  // 200 ms chunks, like a Realtime response, so marks track its playback.
  constexpr std::size_t chunk = 200 * proto::mulaw_bytes_per_ms;
  auto now = mono_us();
  for (std::size_t at = 0; at < audio.size(); at += chunk) {
    auto b64 = proto::base64_encode(audio.substr(at, chunk));
    if (twilio_)
      send_down("apology", b64, now);
    else
      held_out_.push_back({"apology", std::move(b64), now});
  }
  hanging_up_ = true;
  close_if_played();
}

// -- the OpenAI leg --

void media_relay::attach_openai(net::ws_connection_ptr conn) {
  std::lock_guard lock{mutex_};
  new_session(std::move(conn));
}

void media_relay::openai_ready() {
  std::lock_guard lock{mutex_};
  if (openai_)
    go_live();
}

void media_relay::switch_openai(net::ws_connection_ptr conn) {
  std::lock_guard lock{mutex_};
  new_session(std::move(conn));
  go_live();
}

void media_relay::detach_openai(const net::ws_connection_ptr& conn, bool lost) {
  std::lock_guard lock{mutex_};
  if (openai_ != conn)
    return;
  openai_ = nullptr;
  ready_ = false;
  // Unanswered audio goes before anything held since (in caller order);
  // the 10 s bound of held_in_ applies to both.
  while (lost && !unanswered_.empty()) {
    held_in_.push_front(std::move(unanswered_.back().frame));
    unanswered_.pop_back();
  }
  while (held_in_.size() > max_frames) {
    held_in_.pop_front();
    ++held_dropped_;
  }
  unanswered_.clear();
}

void media_relay::input_transcribed(int64_t audio_end_ms) {
  std::lock_guard lock{mutex_};
  int64_t end = audio_end_ms * proto::mulaw_bytes_per_ms;
  while (!unanswered_.empty() && unanswered_.front().end_offset_bytes <= end)
    unanswered_.pop_front();
}

void media_relay::assistant_audio(std::string item_id, std::string payload_b64,
                                  int64_t received_us) {
  std::lock_guard lock{mutex_};
  if (cut_items_.count(item_id) != 0)
    return; // late audio of an item cut by barge-in
  if (twilio_)
    return send_down(item_id, payload_b64, received_us);
  held_out_.push_back({std::move(item_id), std::move(payload_b64), received_us});
}

media_relay::frame_times media_relay::locate_input(int64_t audio_end_ms) const {
  std::lock_guard lock{mutex_};
  int64_t end = audio_end_ms * proto::mulaw_bytes_per_ms;
  for (const auto& fr : recent_)
    if (fr.end_offset_bytes >= end)
      return {fr.received_us, fr.sent_us};
  return {};
}

// -- with the mutex held --

void media_relay::new_session(net::ws_connection_ptr conn) {
  openai_ = std::move(conn);
  ready_ = false;
  session_bytes_ = 0; // audio_end_ms counts from the start of each session
  recent_.clear();
  unanswered_.clear(); // a switch (session recycle): the old session answers
}

void media_relay::go_live() {
  ready_ = true;
  for (auto& h : held_in_) // caller audio held while no session was ready
    send_up(h.payload_b64, h.received_us);
  held_in_.clear();
}

void media_relay::send_up(std::string_view payload_b64, int64_t received_us) {
  openai_->send_text(proto::build_input_audio_append(payload_b64));
  auto bytes = static_cast<int64_t>(proto::base64_decoded_size(payload_b64));
  session_bytes_ += bytes;
  auto sent_us = mono_us();
  recent_.push_back({session_bytes_, received_us, sent_us});
  if (recent_.size() > max_frames)
    recent_.pop_front();
  unanswered_.push_back({session_bytes_, {std::string{payload_b64}, received_us}});
  if (unanswered_.size() > max_frames)
    unanswered_.pop_front();
  frames_up_.fetch_add(1, std::memory_order_relaxed);
  if (auto* m = metrics_.get()) {
    m->bytes_caller_to_openai.inc(static_cast<double>(bytes));
    m->relay_latency_upstream.observe(static_cast<double>(sent_us - received_us) / 1e6);
  }
}

void media_relay::send_down(const std::string& item_id, std::string_view payload_b64,
                            int64_t received_us) {
  auto bytes = proto::base64_decoded_size(payload_b64);
  auto& sent = sent_bytes_[item_id];
  bool first = sent == 0;
  sent += bytes;
  twilio_->send_text(proto::build_twilio_media(stream_sid_, payload_b64));
  if (recorder_)
    if (auto audio = proto::base64_decode(payload_b64))
      recorder_->assistant_sent(*audio);
  twilio_->send_text(proto::build_twilio_mark(stream_sid_, playout_.on_audio_sent(item_id, bytes)));
  auto sent_us = mono_us();
  frames_down_.fetch_add(1, std::memory_order_relaxed);
  if (auto* m = metrics_.get()) {
    m->bytes_openai_to_caller.inc(static_cast<double>(bytes));
    m->relay_latency_downstream.observe(static_cast<double>(sent_us - received_us) / 1e6);
  }
  if (first && on_first_audio_)
    on_first_audio_(first_audio_sent{item_id, received_us, sent_us});
}

void media_relay::close_if_played() {
  if (!twilio_ || playout_.playing() || !held_out_.empty())
    return;
  if (when_played_)
    std::exchange(when_played_, nullptr)();
  if (hanging_up_)
    twilio_->close();
}

} // namespace sb::relay
