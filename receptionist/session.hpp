#pragma once
// What the AI receptionist is told: the Realtime session built from the
// tenant (instructions with business context, greeting, voice, tools).

#include "config/config.hpp"
#include "protocol/realtime.hpp"
#include "storage/records.hpp"

#include <string>

namespace sb::receptionist {

/// The session.update parameters for a call of `tenant` from `caller_number`.
/// The caller number goes into the instructions so the model can confirm the
/// callback number.
proto::session_params session_for(const storage::tenant& tenant, const std::string& caller_number,
                                  const openai_config& openai);

/// response.instructions that make the assistant greet first with the
/// tenant's greeting (quoted, so it is said verbatim).
std::string greeting_instructions(const storage::tenant& tenant);

/// response.instructions for the short acknowledgement while a slow tool runs.
std::string acknowledgement_instructions();

/// response.instructions for the hand-over line before a transfer: `line`
/// (quoted, said verbatim), nothing else.
std::string handover_instructions(const std::string& line);

/// The user input_text item for keys the caller pressed ("0412555123").
std::string keys_pressed_text(const std::string& digits);

} // namespace sb::receptionist
