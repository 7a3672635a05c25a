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

/// The instructions' sentence on language (receptionist/languages.hpp):
/// "Speak Spanish." for one language served; with several, answer in the
/// caller's.
std::string language_instructions(const storage::tenant& tenant);

/// response.instructions that make the assistant greet first with the
/// tenant's greeting (quoted, so it is said verbatim).
/// `consent` ("" : none), the recording notice (issue 17.3), is said first.
std::string greeting_instructions(const storage::tenant& tenant, const std::string& consent = "");

/// The recording notice for a call of `tenant`: `configured` ([recording]
/// consent) when it is the operator's own, else (empty, or the built-in
/// English default) the built-in sentence in the tenant's language.
std::string consent_sentence(const storage::tenant& tenant, const std::string& configured);

/// response.instructions for the first reply after the caller was picked up
/// again (actors/call_resume.hpp): the call was cut off; greet the caller
/// back (by `caller_name` when known) and pick up where the conversation was.
std::string resume_instructions(const std::string& caller_name);

/// response.instructions for the short acknowledgement while a slow tool runs.
std::string acknowledgement_instructions();

/// response.instructions for the hand-over line before a transfer: `line`
/// (quoted, said verbatim), nothing else.
std::string handover_instructions(const std::string& line);

/// The user input_text item for keys the caller pressed ("0412555123").
std::string keys_pressed_text(const std::string& digits);

// -- timeouts (actors/call_timers.cpp): each a response.create's instructions --
/// The call is near its longest time: the caller is told to wrap up.
std::string max_call_warning_instructions();
/// The call's time is up: a goodbye, after which the line hangs up.
std::string max_call_goodbye_instructions();
/// The caller has been silent: "are you still there?"
std::string still_there_instructions();
/// Still silent after being asked: a polite goodbye, then the line hangs up.
std::string silent_goodbye_instructions();

} // namespace sb::receptionist
