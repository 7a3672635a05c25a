#pragma once
// Speech audio clips (8 kHz mu-law, raw) made at build time by espeak-ng and
// sox from sim/audio/clips.txt and compiled into the binary (see
// sim/CMakeLists.txt), or loaded from a folder of .ulaw files.

#include "common/result.hpp"

#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace sb::sim {

/// A clip cut into 20 ms media frames of 160 mu-law bytes, the last one
/// padded with silence (0xFF), and every frame also base64-encoded: what a
/// caller sends per tick, computed once at load and shared by every call
/// (issue 4: the load generator must cost little per frame).
struct framed_clip {
  static constexpr std::size_t frame_bytes = 160;
  static constexpr std::size_t frame_b64 = 216; ///< base64 of 160 bytes, padded
  std::size_t size = 0;                         ///< the clip's own bytes (without the padding)
  std::string padded;                           ///< frames() * frame_bytes bytes
  std::string b64;                              ///< frames() * frame_b64 characters
  std::size_t frames() const { return padded.size() / frame_bytes; }
  std::string_view frame(std::size_t k) const {
    return {padded.data() + k * frame_bytes, frame_bytes};
  }
  std::string_view frame_base64(std::size_t k) const {
    return {b64.data() + k * frame_b64, frame_b64};
  }
};

/// Frames `bytes` as above.
std::shared_ptr<const framed_clip> make_framed_clip(std::string_view bytes);

class clip_library {
public:
  /// Loads every <name>.ulaw in `dir`. Error when the folder has none.
  static result<clip_library> load(const std::string& dir);

  /// The clips compiled into the binary (sim/builtin_clips.hpp).
  static clip_library builtin();

  /// The folder SWITCHBOARD_CLIPS names, when set (another clip set, loaded
  /// as load() does: a wrong folder is an error, not a silent fallback);
  /// else builtin(). What the demo, the tests and the bench speak.
  static result<clip_library> load_default();

  /// The clip's bytes; error {"no_clip"} for an unknown name.
  result<std::string> get(const std::string& name) const;

  /// The clip as media frames (shared, not copied); error {"no_clip"} for an unknown name.
  result<std::shared_ptr<const framed_clip>> framed(const std::string& name) const;

  /// Adds (or replaces) a clip of mu-law bytes: a test's or a bench's own
  /// (e.g. minutes of assistant speech for a peer that stops reading).
  void add(const std::string& name, std::string bytes);

  std::size_t size() const { return clips_.size(); }

private:
  /// Frames every clip of clips_.
  void frame_all();

  std::map<std::string, std::string> clips_;
  std::map<std::string, std::shared_ptr<const framed_clip>> framed_;
};

} // namespace sb::sim
