#pragma once
// Keeps one call's conversation and persists each turn as soon as it
// completes, so a crash loses at most the turn in flight. A barge-in cuts an
// assistant turn: it is stored again, flagged truncated, with `text` the part
// the caller heard and `full_text` all that was generated (for review).
//
// Its messages: transcript_actor in actors/interfaces.hpp.

#include "actors/services.hpp"

namespace sb::actors {

/// `so_far`: the turns of a call picked up again (stored already); new turns follow them.
transcript_actor spawn_transcript(caf::local_actor* parent, services svc, std::string call_sid,
                                  std::vector<storage::transcript_turn> so_far = {});

/// How many characters of `text` fit in the heard fraction heard_ms / sent_ms,
/// cut at a word boundary (speech is roughly uniform in words per second).
std::size_t heard_length(const std::string& text, int64_t heard_ms, int64_t sent_ms);

/// The first heard_length() characters, ending "..." when cut.
std::string heard_part(const std::string& text, int64_t heard_ms, int64_t sent_ms);

} // namespace sb::actors
