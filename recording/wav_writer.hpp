#pragma once
// Writes the call recordings (issue 17.3) on one thread of its own, so that
// a slow disk never stalls a call: the io thread only queues blocks of
// samples. The queue is bounded (max_queued_bytes, all calls together): a
// block that does not fit is written as silence of its length instead, so
// the file stays time-aligned and memory stays bounded; such gaps are
// counted (gap_frames) and logged.
//
// Files are 8 kHz, 2 channels, 16-bit PCM WAV (libsndfile: sf_open with
// SF_FORMAT_WAV | SF_FORMAT_PCM_16, sf_writef_short for interleaved frames;
// https://libsndfile.github.io/libsndfile/api.html). Each is written as
// "<path>.part" and renamed to <path> once closed, so a file at <path> is
// always complete (its header written by sf_close).

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace sb::recording {

class wav_writer {
public:
  using file_id = uint64_t;

  explicit wav_writer(std::size_t max_queued_bytes = 8u << 20);
  /// Writes and closes everything queued, then joins the thread.
  ~wav_writer();
  wav_writer(const wav_writer&) = delete;
  wav_writer& operator=(const wav_writer&) = delete;

  /// Queues the creation of `path` (its directory is created if missing).
  file_id open(std::string path);
  /// Queues interleaved stereo frames (left, right, left, right, ...).
  void write(file_id id, std::vector<int16_t> frames);
  /// Queues the close; the file appears at its path once written.
  void close(file_id id);

  /// Blocks until everything queued before the call is on disk (tests, shutdown).
  void drain();

  /// Frames written as silence because the queue was full.
  int64_t gap_frames() const { return gap_frames_.load(); }

private:
  struct op {
    enum kind_t { open_file, write_frames, write_gap, close_file } kind;
    file_id id = 0;
    std::string path;
    std::vector<int16_t> frames;
    int64_t gap = 0; ///< frames of silence (write_gap)
  };
  void push(op o);
  void run();

  const std::size_t max_queued_bytes_;
  std::mutex mu_;
  std::condition_variable wake_, idle_;
  std::deque<op> queue_;
  std::size_t queued_bytes_ = 0;
  bool busy_ = false;
  bool stop_ = false;
  file_id next_id_ = 1;
  std::atomic<int64_t> gap_frames_{0};
  std::thread thread_;
};

} // namespace sb::recording
