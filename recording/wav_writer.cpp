#include "recording/wav_writer.hpp"

#include "common/log.hpp"

#include <sndfile.h>

#include <filesystem>
#include <unordered_map>

namespace sb::recording {

namespace {

constexpr int sample_rate = 8000;
constexpr int channels = 2;

struct open_file {
  SNDFILE* sf = nullptr;
  std::string path; ///< the final name; written as path + ".part"
};

} // namespace

wav_writer::wav_writer(std::size_t max_queued_bytes)
    : max_queued_bytes_(max_queued_bytes), thread_([this] { run(); }) {}

wav_writer::~wav_writer() {
  {
    std::lock_guard lock{mu_};
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

wav_writer::file_id wav_writer::open(std::string path) {
  file_id id = 0;
  {
    std::lock_guard lock{mu_};
    id = next_id_++;
  }
  push(op{op::open_file, id, std::move(path), {}, 0});
  return id;
}

void wav_writer::write(file_id id, std::vector<int16_t> frames) {
  const std::size_t bytes = frames.size() * sizeof(int16_t);
  {
    std::lock_guard lock{mu_};
    if (queued_bytes_ + bytes > max_queued_bytes_) { // the disk is behind: silence instead
      const auto n = static_cast<int64_t>(frames.size() / channels);
      gap_frames_.fetch_add(n);
      queue_.push_back(op{op::write_gap, id, {}, {}, n});
      wake_.notify_one();
      return;
    }
    queued_bytes_ += bytes;
  }
  push(op{op::write_frames, id, {}, std::move(frames), 0});
}

void wav_writer::close(file_id id) {
  push(op{op::close_file, id, {}, {}, 0});
}

void wav_writer::drain() {
  std::unique_lock lock{mu_};
  idle_.wait(lock, [this] { return queue_.empty() && !busy_; });
}

void wav_writer::push(op o) {
  {
    std::lock_guard lock{mu_};
    queue_.push_back(std::move(o));
  }
  wake_.notify_one();
}

void wav_writer::run() {
  std::unordered_map<file_id, open_file> files;
  std::vector<int16_t> silence;
  for (;;) {
    op o;
    {
      std::unique_lock lock{mu_};
      busy_ = false;
      if (queue_.empty())
        idle_.notify_all();
      wake_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      if (queue_.empty())
        break; // stopped, and everything queued is written
      o = std::move(queue_.front());
      queue_.pop_front();
      queued_bytes_ -= o.frames.size() * sizeof(int16_t);
      busy_ = true;
    }
    switch (o.kind) {
    case op::open_file: {
      std::error_code ec;
      std::filesystem::create_directories(std::filesystem::path(o.path).parent_path(), ec);
      SF_INFO info{};
      info.samplerate = sample_rate;
      info.channels = channels;
      info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
      const std::string part = o.path + ".part";
      SNDFILE* sf = sf_open(part.c_str(), SFM_WRITE, &info);
      if (!sf)
        log::warn("Recording", "cannot write " + part + ": " + sf_strerror(nullptr));
      else
        files[o.id] = open_file{sf, std::move(o.path)};
      break;
    }
    case op::write_frames:
    case op::write_gap: {
      auto it = files.find(o.id);
      if (it == files.end())
        break; // the open failed (logged)
      if (o.kind == op::write_gap) {
        silence.assign(static_cast<std::size_t>(o.gap) * channels, 0);
        o.frames.swap(silence);
      }
      const auto n = static_cast<sf_count_t>(o.frames.size() / channels);
      if (sf_writef_short(it->second.sf, o.frames.data(), n) != n)
        log::warn("Recording",
                  "write to " + it->second.path + ".part failed: " + sf_strerror(it->second.sf));
      break;
    }
    case op::close_file: {
      auto it = files.find(o.id);
      if (it == files.end())
        break;
      sf_close(it->second.sf);
      std::error_code ec;
      std::filesystem::rename(it->second.path + ".part", it->second.path, ec);
      if (ec)
        log::warn("Recording", "cannot rename " + it->second.path + ".part: " + ec.message());
      files.erase(it);
      break;
    }
    }
  }
  for (auto& [id, f] : files) // never closed (a call that did not end): keep what was written
    sf_close(f.sf);
}

} // namespace sb::recording
