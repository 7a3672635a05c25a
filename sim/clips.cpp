#include "sim/clips.hpp"

#include "protocol/base64.hpp"
#include "sim/builtin_clips.hpp"

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
  lib.frame_all();
  return lib;
}

clip_library clip_library::builtin() {
  clip_library lib;
  for (const auto& c : builtin_clips())
    lib.clips_.emplace(c.name, c.bytes);
  lib.frame_all();
  return lib;
}

result<clip_library> clip_library::load_default() {
  if (const char* env = std::getenv("SWITCHBOARD_CLIPS"); env && *env)
    return load(env);
  return builtin();
}

void clip_library::frame_all() {
  for (const auto& [name, bytes] : clips_)
    framed_[name] = make_framed_clip(bytes);
}

void clip_library::add(const std::string& name, std::string bytes) {
  framed_[name] = make_framed_clip(bytes);
  clips_[name] = std::move(bytes);
}

result<std::string> clip_library::get(const std::string& name) const {
  auto it = clips_.find(name);
  if (it == clips_.end())
    return error{"no_clip", "unknown clip: " + name};
  return it->second;
}

result<std::shared_ptr<const framed_clip>> clip_library::framed(const std::string& name) const {
  auto it = framed_.find(name);
  if (it == framed_.end())
    return error{"no_clip", "unknown clip: " + name};
  return it->second;
}

std::shared_ptr<const framed_clip> make_framed_clip(std::string_view bytes) {
  auto c = std::make_shared<framed_clip>();
  c->size = bytes.size();
  const std::size_t n = (bytes.size() + framed_clip::frame_bytes - 1) / framed_clip::frame_bytes;
  c->padded.assign(n * framed_clip::frame_bytes, '\xFF'); // mu-law silence
  c->padded.replace(0, bytes.size(), bytes);
  c->b64.reserve(n * framed_clip::frame_b64);
  for (std::size_t k = 0; k < n; ++k)
    c->b64 += proto::base64_encode(c->frame(k));
  return c;
}

} // namespace sb::sim
