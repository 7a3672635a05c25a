// The simulated caller's media: 20 ms ticks on absolute deadlines (no
// drift), real speech or mu-law silence out, a real-time playout buffer in,
// marks echoed when the audio before them has played, `clear` honoured as
// Twilio does (docs/protocols.md 2), and the scripted conversation.
#include "common/time.hpp"
#include "protocol/base64.hpp"
#include "sim/b64_into.hpp"
#include "sim/caller_runner.hpp"

#include <charconv>
#include <utility>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace sb::sim {

namespace {

constexpr std::size_t frame_bytes = 160;   // 20 ms of 8 kHz mu-law
constexpr int64_t greeting_quiet_ms = 300; // playout idle: the greeting is over
constexpr int64_t reply_quiet_ms = 500;    // a reply may pause (filler, then answer)

/// One frame of mu-law silence, framed and encoded once.
const framed_clip& silence() {
  static const auto s = make_framed_clip(std::string(frame_bytes, '\xFF'));
  return *s;
}

void append_int(std::string& s, int64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  s.append(buf, r.ptr);
}

/// The media message, written directly (the per-tick path; every value is
/// digits, hex or base64, so nothing needs escaping). Same text as the
/// RapidJSON writer gives for these fields.
std::string media_message(int64_t sequence, const std::string& stream_sid, int64_t tick,
                          std::string_view payload_b64) {
  std::string s;
  s.reserve(160 + stream_sid.size() + payload_b64.size());
  s += R"({"event":"media","sequenceNumber":")";
  append_int(s, sequence);
  s += R"(","streamSid":")";
  s += stream_sid;
  s += R"(","media":{"track":"inbound","chunk":")";
  append_int(s, tick + 1);
  s += R"(","timestamp":")";
  append_int(s, tick * 20);
  s += R"(","payload":")";
  s += payload_b64;
  s += R"("}})";
  return s;
}

using writer = rapidjson::Writer<rapidjson::StringBuffer>;

template <class Body>
std::string message(const char* event, int64_t sequence, const std::string& stream_sid,
                    Body&& body) {
  rapidjson::StringBuffer sb;
  writer w(sb);
  w.StartObject();
  w.Key("event");
  w.String(event);
  if (sequence > 0) {
    w.Key("sequenceNumber");
    w.String(std::to_string(sequence));
  }
  if (!stream_sid.empty()) {
    w.Key("streamSid");
    w.String(stream_sid);
  }
  body(w);
  w.EndObject();
  return {sb.GetString(), sb.GetSize()};
}

} // namespace

void call_runner::start_media_locked() {
  send_locked(message("connected", 0, {}, [](writer& w) {
    w.Key("protocol");
    w.String("Call");
    w.Key("version");
    w.String("1.0.0");
  }));
  send_locked(message("start", ++sequence_, stream_sid_, [&](writer& w) {
    w.Key("start");
    w.StartObject();
    w.Key("streamSid");
    w.String(stream_sid_);
    w.Key("accountSid");
    w.String(opt_.account_sid);
    w.Key("callSid");
    w.String(res_.call_sid);
    w.Key("tracks");
    w.StartArray();
    w.String("inbound");
    w.EndArray();
    w.Key("customParameters");
    w.StartObject();
    for (const auto& [k, v] : stream_.parameters) {
      w.Key(k.c_str(), static_cast<rapidjson::SizeType>(k.size()));
      w.String(v);
    }
    w.EndObject();
    w.Key("mediaFormat");
    w.StartObject();
    w.Key("encoding");
    w.String("audio/x-mulaw");
    w.Key("sampleRate");
    w.Int(8000);
    w.Key("channels");
    w.Int(1);
    w.EndObject();
    w.EndObject();
  }));
  media_start_ = clock::now();
  arm_tick_locked();
}

void call_runner::arm_tick_locked() {
  // Absolute deadlines: tick k fires at media_start + 20 ms * k, so a late
  // tick does not push every later one back.
  media_clock_.at(media_start_ + std::chrono::milliseconds(20 * (ticks_ + 1)),
                  [self = shared_from_this(), no = stream_no_] { self->on_tick(no); });
}

void call_runner::on_tick(int stream_no) {
  std::lock_guard lock(mu_);
  if (finished_ || !streaming_ || stream_no != stream_no_) // the stream ended: no more media
    return;
  // -- caller audio out: the clip's next frame (pre-encoded, shared) or silence --
  std::string_view payload = silence().frame(0), payload_b64 = silence().frame_base64(0);
  std::string tagged, tagged_b64;
  if (phase_ != phase::speaking && opt_.tag_silence) {
    tagged.assign(frame_bytes, '\xFF');
    for (int bit = 0; bit < 32; ++bit)
      if ((ticks_ >> bit) & 1)
        tagged[static_cast<std::size_t>(bit)] = '\xFE';
    tagged_b64 = proto::base64_encode(tagged);
    payload = tagged;
    payload_b64 = tagged_b64;
  }
  if (phase_ == phase::speaking) {
    const std::size_t n = std::min(frame_bytes, clip_->size - clip_pos_);
    payload = clip_->frame(clip_frame_);
    payload_b64 = clip_->frame_base64(clip_frame_);
    ++clip_frame_;
    clip_pos_ += n;
    res_.bytes_sent += static_cast<int64_t>(n);
  }
  if (opt_.on_audio_sent)
    opt_.on_audio_sent(ticks_ * static_cast<int64_t>(frame_bytes), payload, mono_us());
  send_locked(media_message(++sequence_, stream_sid_, ticks_, payload_b64));
  ++ticks_;
  ++phase_ticks_;
  if (phase_ == phase::speaking && clip_pos_ >= clip_->size)
    await_reply_locked();
  // -- assistant audio played out --
  const std::size_t played = std::min<std::size_t>(frame_bytes, buffer_.size() - buf_head_);
  if (opt_.on_audio_played && played > 0)
    opt_.on_audio_played((ticks_ - 1) * static_cast<int64_t>(frame_bytes),
                         std::string_view{buffer_}.substr(buf_head_, played));
  buf_head_ += played;
  if (buf_head_ == buffer_.size()) {
    buffer_.clear();
    buf_head_ = 0;
  } else if (buf_head_ >=
             16 * 1024) { // the peer streams faster than real time: compact now and then
    buffer_.erase(0, buf_head_);
    buf_head_ = 0;
  }
  play_pos_ += static_cast<int64_t>(played);
  if (phase_ == phase::awaiting_reply)
    reply_played_ += static_cast<int64_t>(played);
  if (played > 0) {
    quiet_ms_ = 0;
    last_heard_ = clock::now();
  } else if (heard_)
    quiet_ms_ += 20;
  while (!marks_.empty() && marks_.front().second <= play_pos_) {
    echo_mark_locked(marks_.front().first);
    marks_.pop_front();
  }
  advance_conversation_locked();
  if (!finished_)
    arm_tick_locked();
}

void call_runner::await_reply_locked() {
  phase_ = phase::awaiting_reply;
  phase_ticks_ = 0;
  heard_ = gap_recorded_ = false;
  quiet_ms_ = reply_played_ = 0;
  speak_end_ = clock::now();
}

/// The turn's keys, one `dtmf` frame each (Twilio's shape, docs/protocols.md
/// 1: {"event":"dtmf","streamSid":...,"sequenceNumber":...,"dtmf":{"track":
/// "inbound_track","digit":"1"}}), key_gap_ms apart.
void call_runner::press_keys_locked(std::string keys, int gap_ms) {
  if (keys.empty() || !streaming_)
    return;
  const std::string digit = keys.substr(0, 1);
  send_locked(message("dtmf", ++sequence_, stream_sid_, [&](writer& w) {
    w.Key("dtmf");
    w.StartObject();
    w.Key("track");
    w.String("inbound_track");
    w.Key("digit");
    w.String(digit);
    w.EndObject();
  }));
  event_locked("caller presses " + digit);
  if (keys.size() > 1)
    after_locked(gap_ms,
                 [this, rest = keys.substr(1), gap_ms] { press_keys_locked(rest, gap_ms); });
}

void call_runner::start_speaking_locked(std::size_t turn) {
  turn_ = turn;
  const auto& t = opt_.script.turns[turn];
  press_keys_locked(t.dtmf, t.key_gap_ms);
  if (t.caller_clip.empty()) // keys only: wait for the reply as after speech
    return await_reply_locked();
  auto clip = opt_.clips->framed(t.caller_clip);
  if (!clip)
    return finish_locked(false, clip.err().message);
  clip_ = std::move(*clip);
  clip_pos_ = clip_frame_ = 0;
  phase_ = phase::speaking;
  phase_ticks_ = 0;
  event_locked("caller: " + t.caller_text);
}

void call_runner::advance_conversation_locked() {
  const auto& turns = opt_.script.turns;
  switch (phase_) {
  case phase::greeting:
    if (heard_ && quiet_ms_ >= greeting_quiet_ms) {
      event_locked("greeting finished playing");
      if (turns.empty() && opt_.script.stays_on_line) {
        event_locked("caller goes silent and stays on the line");
        phase_ = phase::ending; // until the server hangs up
        return;
      }
      if (turns.empty())
        return finish_locked(true, {});
      phase_ = phase::pause;
      phase_ticks_ = 0;
      turn_ = 0;
    }
    return;
  case phase::pause:
    if (opt_.hang_up && opt_.hang_up->load(std::memory_order_relaxed))
      return send_stop_locked();
    if (phase_ticks_ * 20 >= turns[turn_].pause_before_ms)
      start_speaking_locked(turn_);
    return;
  case phase::speaking:
  case phase::ending:
    return;
  case phase::awaiting_reply: {
    const bool has_next = turn_ + 1 < turns.size();
    if (has_next && turns[turn_ + 1].barge_in_after_ms >= 0 && heard_ &&
        reply_played_ >= int64_t{turns[turn_ + 1].barge_in_after_ms} * 8) {
      event_locked("caller barges in");
      return start_speaking_locked(turn_ + 1);
    }
    if (!heard_ || quiet_ms_ < reply_quiet_ms)
      return;
    ++replies_finished_;
    event_locked("assistant finished playing");
    if (opt_.vanish_after_turns >= 0 && replies_finished_ >= opt_.vanish_after_turns) {
      event_locked(opt_.vanish_with_reset ? "caller's connection is reset (no stop)"
                                          : "caller vanishes (no stop)");
      if (opt_.follow_resume) {
        opt_.vanish_after_turns = -1; // once
        return stream_lost_locked();
      }
      closing_ = true;
      if (opt_.vanish_with_reset && conn_) {
        conn_->abort();
        conn_.reset();
      }
      return finish_locked(true, {});
    }
    if (has_next || turn_pending_) {
      phase_ = phase::pause;
      phase_ticks_ = turn_pending_ ? paused_ticks_ : 0;
      if (!std::exchange(turn_pending_, false))
        ++turn_;
      return;
    }
    if (opt_.script.assistant_hangs_up || opt_.script.stays_on_line) {
      if (opt_.script.stays_on_line)
        event_locked("caller goes silent and stays on the line");
      phase_ = phase::ending; // the server closes the stream (end_call, a timeout)
      return;
    }
    return send_stop_locked();
  }
  }
}

void call_runner::send_stop_locked() {
  send_stop_frame_locked();
  event_locked("caller hangs up (stop)");
  closing_ = true;
  finish_locked(true, {});
}

void call_runner::send_stop_frame_locked() {
  send_locked(message("stop", ++sequence_, stream_sid_, [&](writer& w) {
    w.Key("stop");
    w.StartObject();
    w.Key("accountSid");
    w.String(opt_.account_sid);
    w.Key("callSid");
    w.String(res_.call_sid);
    w.EndObject();
  }));
}

void call_runner::echo_mark_locked(const std::string& name) {
  ++res_.marks_echoed;
  send_locked(message("mark", ++sequence_, stream_sid_, [&](writer& w) {
    w.Key("mark");
    w.StartObject();
    w.Key("name");
    w.String(name);
    w.EndObject();
  }));
}

void call_runner::on_text(const std::string& frame) {
  const int64_t arrived_us = opt_.on_audio_received ? mono_us() : 0;
  std::lock_guard lock(mu_);
  if (finished_)
    return;
  parse_pool_.Clear();
  rapidjson::Document doc(&parse_pool_);
  doc.Parse(frame.c_str(), frame.size());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("event") || !doc["event"].IsString())
    return finish_locked(false, "server sent a malformed stream message");
  const std::string event = doc["event"].GetString();
  if (event == "media") {
    const auto& m = doc["media"];
    if (!m.IsObject() || !m.HasMember("payload") || !m["payload"].IsString())
      return finish_locked(false, "media without payload");
    const auto& p = m["payload"];
    if (!base64_decode_into({p.GetString(), p.GetStringLength()}, decoded_))
      return finish_locked(false, "media payload is not base64");
    const std::string* bytes = &decoded_;
    if (res_.bytes_received == 0) {
      res_.setup_ms = since_start_ms();
      reply_start_pos_ = enq_pos_;
      event_locked("greeting audio started");
    } else if (lost_) { // the first audio after a resume: the caller's silence ends
      lost_ = false;
      res_.resume_gap_ms.push_back(
          std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - last_heard_)
              .count());
      event_locked("assistant audio again after " + std::to_string(res_.resume_gap_ms.back()) +
                   " ms of silence");
    }
    if (res_.bytes_received != 0 && phase_ == phase::awaiting_reply && !gap_recorded_) {
      gap_recorded_ = true;
      reply_start_pos_ = enq_pos_;
      res_.reply_gap_ms.push_back(
          std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - speak_end_).count());
      event_locked("assistant audio started");
    }
    heard_ = true;
    if (opt_.on_audio_received)
      opt_.on_audio_received(res_.bytes_received, *bytes, arrived_us);
    res_.bytes_received += static_cast<int64_t>(bytes->size());
    buffer_ += *bytes;
    enq_pos_ += static_cast<int64_t>(bytes->size());
  } else if (event == "mark") {
    const auto& m = doc["mark"];
    if (!m.IsObject() || !m.HasMember("name") || !m["name"].IsString())
      return finish_locked(false, "mark without name");
    marks_.emplace_back(m["name"].GetString(), enq_pos_);
  } else if (event == "clear") {
    // Twilio drops the queued audio and echoes every pending mark at once.
    ++res_.clears_received;
    res_.heard_at_clear_ms.push_back(reply_start_pos_ >= 0 ? (play_pos_ - reply_start_pos_) / 8
                                                           : -1);
    if (opt_.on_event)
      event_locked("clear: " + std::to_string((buffer_.size() - buf_head_) / 8) +
                   " ms of audio dropped");
    buffer_.clear();
    buf_head_ = 0;
    enq_pos_ = play_pos_;
    while (!marks_.empty()) {
      echo_mark_locked(marks_.front().first);
      marks_.pop_front();
    }
  }
}

} // namespace sb::sim
