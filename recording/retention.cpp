#include "recording/retention.hpp"

#include "common/log.hpp"

#include <filesystem>

namespace sb::recording {

namespace fs = std::filesystem;

std::string recordings_dir(const config& cfg) {
  if (!cfg.recording.dir.empty())
    return cfg.recording.dir;
  return (fs::path(cfg.storage.path).parent_path() / "recordings").string();
}

std::string recording_path(const config& cfg, const std::string& call_sid) {
  return (fs::path(recordings_dir(cfg)) / (call_sid + ".wav")).string();
}

status remove_recording(const std::string& path) {
  std::error_code ec;
  fs::remove(path, ec);
  if (ec)
    return error{"file", "cannot remove " + path + ": " + ec.message()};
  fs::remove(path + ".part", ec); // a file never finished (the server died mid-call)
  return ok_t{};
}

result<int> sweep(storage::store& db, int retention_days, int64_t now_ms) {
  if (retention_days <= 0)
    return 0;
  const int64_t cutoff = now_ms - int64_t{retention_days} * 24 * 3600 * 1000;
  auto expired = db.recordings_before(cutoff);
  if (!expired)
    return expired.err();
  int removed = 0;
  for (const auto& r : *expired) {
    if (auto s = remove_recording(r.path); !s) {
      log::warn("Recording", s.err().message); // kept on the call: tried again next sweep
      continue;
    }
    if (auto s = db.clear_recording_file(r.call_sid); !s)
      return s.err();
    ++removed;
  }
  if (removed > 0)
    log::info("Recording", "retention: removed " + std::to_string(removed) + " recording(s)");
  return removed;
}

} // namespace sb::recording
