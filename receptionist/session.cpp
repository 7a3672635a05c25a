#include "receptionist/session.hpp"

namespace sb::receptionist {

std::vector<proto::tool_spec> tool_specs() {
  return {
    {"record_booking_details",
     "Record the caller's job details as you learn them. Call it again whenever a detail is "
     "added or corrected; fields you leave out keep their earlier values.",
     R"({"type":"object","properties":{)"
     R"("customer_name":{"type":"string","description":"The caller's full name"},)"
     R"("callback_phone":{"type":"string","description":"Callback number, E.164 if possible"},)"
     R"("service":{"type":"string","description":"What the caller needs done"},)"
     R"("address":{"type":"string","description":"Where the job is"},)"
     R"("preferred_date":{"type":"string","description":"YYYY-MM-DD"},)"
     R"("preferred_time":{"type":"string","description":"HH:MM, 24-hour, business local time"},)"
     R"("urgency":{"type":"string","enum":["emergency","urgent","normal","flexible"]},)"
     R"("notes":{"type":"string"}},"additionalProperties":false})"},
    {"check_availability",
     "Check whether the business can come at a date and time: within business hours and not "
     "already booked.",
     R"({"type":"object","properties":{)"
     R"("date":{"type":"string","description":"YYYY-MM-DD"},)"
     R"("time":{"type":"string","description":"HH:MM, 24-hour"}},)"
     R"("required":["date","time"],"additionalProperties":false})"},
    {"end_call",
     "Hang up. Say goodbye first: the call ends after your goodbye has finished playing.",
     R"({"type":"object","properties":{"reason":{"type":"string"}},"additionalProperties":false})"},
  };
}

proto::session_params session_for(const storage::tenant& tenant, const std::string& caller_number,
                                   const openai_config& openai) {
  proto::session_params p;
  p.model = openai.model;
  p.voice = tenant.voice.empty() ? openai.voice : tenant.voice;
  p.transcription_model = openai.transcription_model;
  p.language = tenant.language.empty() ? "en" : tenant.language;
  p.vad_threshold = openai.vad_threshold;
  p.prefix_padding_ms = openai.vad_prefix_padding_ms;
  p.silence_duration_ms = openai.vad_silence_duration_ms;
  p.tools = tool_specs();
  std::string s;
  s += "You are the phone receptionist for " + tenant.name + ". ";
  s += "Be friendly, natural and professional; keep answers under three sentences. ";
  s += "Find out who is calling, what they need, where, and when they would like it done, and "
       "record it with record_booking_details as soon as you learn each detail. ";
  s += "Before promising a time, check it with check_availability. ";
  s += "When the caller is done, say goodbye and then call end_call. ";
  s += "Business hours: " + tenant.hours + " (time zone " + tenant.timezone + "). ";
  if (!tenant.context.empty()) s += "About the business: " + tenant.context + " ";
  s += "The caller's number is " + caller_number + ". ";
  s += "Speak " + p.language + ".";
  p.instructions = std::move(s);
  return p;
}

std::string greeting_instructions(const storage::tenant& tenant) {
  std::string greeting = tenant.greeting.empty()
                           ? "Thanks for calling " + tenant.name + ". How can I help you today?"
                           : tenant.greeting;
  return "Greet the caller now by saying exactly: \"" + greeting + "\"";
}

std::string acknowledgement_instructions() {
  return "A tool is still running. In one short sentence, tell the caller you are checking and "
         "ask them to hold on a moment. Do not answer the question yet.";
}

} // namespace sb::receptionist
