#pragma once
// The few sentences Switchboard writes or says itself, in the business's
// language (issue 17.1: "the job card's summary is always in the business's
// own language"): the job card's one-line summary, the default greeting and
// the recording consent sentence, a voicemail card's summary. English, Spanish, French, German,
// Italian and Portuguese; any other language falls back to English (the model's own words, the
// post-call analysis, follow the language already).

#include <initializer_list>
#include <string>

namespace sb {

struct phrases {
  const char* code;        ///< ISO 639-1
  const char* job;         ///< a card with no service named: "Job"
  const char* for_name;    ///< "leaking tap for Dana Smith"
  const char* on_date;     ///< "... on 2030-01-02 10:00"
  const char* missing;     ///< "(missing: address)"
  const char* call_ended;  ///< "(call ended: max_duration)"
  const char* no_details;  ///< the card of a call without booking details; %s: end reason
  const char* transferred; ///< "Transferred to a person (%s)."
  const char* no_analysis; ///< "(no post-call analysis)"
  const char* greeting;    ///< the default greeting; %s: the business's name
  const char* consent;     ///< said before the greeting when the call is recorded
  const char* voicemail;   ///< a voicemail card; %s: its length in seconds, %s: the caller
};

/// The phrases for `code`; English for a language without its own.
const phrases& phrases_for(const std::string& code);

/// True when `code` has its own phrases (not the English fallback).
bool has_phrases(const std::string& code);

/// `pattern` with its "%s" replaced by `args` in order (the patterns above).
std::string fill_phrase(const char* pattern, std::initializer_list<std::string> args);

} // namespace sb
