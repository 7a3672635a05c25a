#include "recording/call_recorder.hpp"

#include "protocol/mulaw.hpp"

#include <algorithm>

namespace sb::recording {

namespace {

constexpr int64_t samples_per_ms = 8;
constexpr int64_t flush_samples = 8000; ///< write about once a second
constexpr char mulaw_silence = '\xFF';

/// `buf` holds samples from `base` on; makes it reach `pos` (silence).
void pad_to(std::string& buf, int64_t base, int64_t pos) {
  const int64_t have = base + static_cast<int64_t>(buf.size());
  if (pos > have)
    buf.append(static_cast<std::size_t>(pos - have), mulaw_silence);
}

int16_t sample_at(const std::string& buf, std::size_t i) {
  return proto::mulaw_decode(
      static_cast<uint8_t>(i < buf.size() ? buf[i] : static_cast<char>(mulaw_silence)));
}

} // namespace

call_recorder::call_recorder(std::shared_ptr<wav_writer> writer, std::string path)
    : writer_(std::move(writer)), file_(writer_->open(std::move(path))) {}

call_recorder::~call_recorder() {
  finish();
}

void call_recorder::caller_frame(int64_t stream_ms, std::string_view mulaw) {
  if (finished_)
    return;
  const int64_t end = committed_ + static_cast<int64_t>(caller_.size());
  const int64_t pos = stream_ms >= 0 ? stream_ms * samples_per_ms : end;
  if (pos < end)
    return; // a repeated or out-of-order frame: its place is taken
  pad_to(caller_, committed_, pos);
  caller_.append(mulaw);
  now_ = std::max(now_, pos + static_cast<int64_t>(mulaw.size()));
  if (now_ - committed_ >= flush_samples)
    commit(now_);
}

void call_recorder::assistant_sent(std::string_view mulaw) {
  if (finished_)
    return;
  const int64_t start = std::max(play_end_, now_);
  const int64_t room = committed_ + max_queued_s * 8000 - start;
  const auto n =
      std::clamp<int64_t>(static_cast<int64_t>(mulaw.size()), 0, std::max<int64_t>(room, 0));
  dropped_ += static_cast<int64_t>(mulaw.size()) - n;
  if (n == 0)
    return;
  pad_to(assistant_, committed_, start);
  assistant_.append(mulaw.substr(0, static_cast<std::size_t>(n)));
  play_end_ = start + n;
}

void call_recorder::cleared() {
  if (finished_)
    return;
  const auto keep = static_cast<std::size_t>(std::max<int64_t>(now_ - committed_, 0));
  if (assistant_.size() > keep)
    assistant_.resize(keep); // only ever shorter: what had not played is cut
  play_end_ = std::min(play_end_, now_);
}

void call_recorder::finish() {
  if (finished_)
    return;
  commit(now_);
  finished_ = true;
  writer_->close(file_);
}

void call_recorder::commit(int64_t upto) {
  if (upto <= committed_)
    return;
  const auto n = static_cast<std::size_t>(upto - committed_);
  std::vector<int16_t> frames(2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    frames[2 * i] = sample_at(caller_, i);
    frames[2 * i + 1] = sample_at(assistant_, i);
  }
  writer_->write(file_, std::move(frames));
  caller_.erase(0, std::min(n, caller_.size()));
  assistant_.erase(0, std::min(n, assistant_.size()));
  committed_ = upto;
}

} // namespace sb::recording
