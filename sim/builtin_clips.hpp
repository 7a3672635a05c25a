#pragma once
// The speech clips of sim/audio/clips.txt, compiled into every binary that
// links sb_sim (the source is generated at build time by
// cmake/embed_clips.cmake), so that `switchboard demo` needs no file beside
// the binary.

#include <string_view>
#include <vector>

namespace sb::sim {

/// One compiled-in clip: its name (the file name without ".ulaw") and its
/// 8 kHz mu-law bytes, which live as long as the program.
struct builtin_clip {
  std::string_view name;
  std::string_view bytes;
};

/// Every compiled-in clip, sorted by name.
std::vector<builtin_clip> builtin_clips();

} // namespace sb::sim
