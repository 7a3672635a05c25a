#pragma once
// A recorded apology (8 kHz mu-law) played when the OpenAI leg cannot be
// reached: real speech made at build time by espeak-ng and sox
// (actors/apology.txt), compiled into the binary.

#include <string_view>

namespace sb::actors {

std::string_view apology_audio();

} // namespace sb::actors
