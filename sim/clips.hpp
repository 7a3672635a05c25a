#pragma once
// Speech audio clips (8 kHz mu-law, raw) made at build time by espeak-ng and
// sox from sim/audio/clips.txt (see sim/CMakeLists.txt).

#include "common/result.hpp"

#include <map>
#include <string>

namespace sb::sim {

class clip_library {
public:
  /// Loads every <name>.ulaw in `dir`. Error when the folder has none.
  static result<clip_library> load(const std::string& dir);

  /// The clip's bytes; error {"no_clip"} for an unknown name.
  result<std::string> get(const std::string& name) const;

  std::size_t size() const { return clips_.size(); }

private:
  std::map<std::string, std::string> clips_;
};

/// Where the build put the clips (compiled in), overridable by SWITCHBOARD_CLIPS.
std::string default_clip_dir();

} // namespace sb::sim
