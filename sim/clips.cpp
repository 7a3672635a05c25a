#include "sim/clips.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace sb::sim {

result<clip_library> clip_library::load(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return error{"no_clips", "clip folder not found: " + dir};
  clip_library lib;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".ulaw")
      continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    lib.clips_[entry.path().stem().string()] = std::move(bytes).str();
  }
  if (lib.clips_.empty())
    return error{"no_clips", "no .ulaw clips in " + dir};
  return lib;
}

result<std::string> clip_library::get(const std::string& name) const {
  auto it = clips_.find(name);
  if (it == clips_.end())
    return error{"no_clip", "unknown clip: " + name};
  return it->second;
}

std::string default_clip_dir() {
  if (const char* env = std::getenv("SWITCHBOARD_CLIPS"); env && *env)
    return env;
  return SB_CLIP_DIR;
}

} // namespace sb::sim
