#include "receptionist/session.hpp"

#include "common/phrases.hpp"
#include "receptionist/languages.hpp"
#include "receptionist/tools.hpp"

namespace sb::receptionist {

proto::session_params session_for(const storage::tenant& tenant, const std::string& caller_number,
                                  const openai_config& openai) {
  proto::session_params p;
  p.model = openai.model;
  p.voice = tenant.voice.empty() ? openai.voice : tenant.voice;
  p.transcription_model = openai.transcription_model;
  p.language = transcription_language(tenant);
  p.vad_threshold = openai.vad_threshold;
  p.prefix_padding_ms = openai.vad_prefix_padding_ms;
  p.silence_duration_ms = openai.vad_silence_duration_ms;
  p.tools = tool_specs();
  std::string s;
  s += "You are the phone receptionist for " + tenant.name + ". ";
  s += "Be friendly, natural and professional; keep answers under three sentences. ";
  s += "Find out who is calling, what they need, where, and when they would like it done, and "
       "record it with " +
       std::string{record_booking_tool} + " as soon as you learn each detail. ";
  s += "Before promising a time, check it with " + std::string{check_availability_tool} + ". ";
  s += "When the caller is done, say goodbye and then call " + std::string{end_call_tool} + ". ";
  s += "Business hours: " + tenant.hours + " (time zone " + tenant.timezone + "). ";
  if (!tenant.context.empty())
    s += "About the business: " + tenant.context + " ";
  s += "The caller's number is " + caller_number + ". ";
  s += language_instructions(tenant);
  p.instructions = std::move(s);
  return p;
}

std::string language_instructions(const storage::tenant& tenant) {
  const auto served = served_languages(tenant);
  const auto own = language_name(served.front());
  if (served.size() == 1)
    return "Speak " + own + ".";
  std::string all;
  for (const auto& code : served)
    all += (all.empty() ? "" : ", ") + language_name(code);
  return "Greet the caller in " + own +
         ". Then always answer in the caller's language when it is "
         "one of: " +
         all + "; otherwise answer in " + own + ".";
}

std::string greeting_instructions(const storage::tenant& tenant, const std::string& consent) {
  const std::string own = greeting_for(tenant, call_language(tenant));
  std::string greeting =
      own.empty() ? fill_phrase(phrases_for(call_language(tenant)).greeting, {tenant.name}) : own;
  if (!consent.empty())
    greeting = consent + " " + greeting;
  return "Greet the caller now by saying exactly: \"" + greeting + "\"";
}

std::string consent_sentence(const storage::tenant& tenant, const std::string& configured) {
  // The built-in default (config.hpp) is said in the business's language;
  // a sentence of the operator's own, as written.
  const std::string english = phrases_for("en").consent;
  return configured.empty() || configured == english
             ? std::string{phrases_for(call_language(tenant)).consent}
             : configured;
}

std::string resume_instructions(const std::string& caller_name) {
  const std::string back = caller_name.empty() ? "" : ", " + caller_name;
  return "The call was cut off by a technical problem and the caller is back on the line now. "
         "Say sorry and greet them back, for example: \"Sorry, we got cut off" +
         back +
         ". I'm back with you.\" Then pick up exactly where the conversation was: do not start "
         "over, and do not greet them as a new caller.";
}

std::string acknowledgement_instructions() {
  return "A tool is still running. In one short sentence, tell the caller you are checking and "
         "ask them to hold on a moment. Do not answer the question yet.";
}

std::string handover_instructions(const std::string& line) {
  return "You are transferring the caller to a person now. Say exactly: \"" + line +
         "\" and nothing else.";
}

std::string keys_pressed_text(const std::string& digits) {
  return "The caller pressed the keys: " + digits;
}

std::string max_call_warning_instructions() {
  return "The call must end shortly. In one short sentence, tell the caller that we need to wrap "
         "up in a minute, and ask whether there is anything else urgent, e.g. \"We'll need to "
         "wrap up in a minute; is there anything else I should note?\"";
}

std::string max_call_goodbye_instructions() {
  return "The call's time is up. In one short sentence, say that someone will follow up and say "
         "goodbye, e.g. \"We're out of time; we'll follow up with you shortly. Goodbye!\" Do "
         "not ask any question.";
}

std::string still_there_instructions() {
  return "The caller has been silent for a while. Ask briefly whether they are still there, "
         "e.g. \"Are you still there?\"";
}

std::string silent_goodbye_instructions() {
  return "The caller is still silent. Politely say you will end the call now and that they are "
         "welcome to call back, e.g. \"I can't hear you, so I'll end the call now. Please call "
         "back any time. Goodbye!\" Do not ask any question.";
}

} // namespace sb::receptionist
