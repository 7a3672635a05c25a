#pragma once
// A scripted phone conversation shared by the simulated caller and the
// simulated Realtime peer. The peer cannot recognise speech, so the script
// tells it what the caller "said" in each utterance; the caller plays real
// speech audio for it. The peer picks a caller's script by the caller number,
// which the bridge puts in the session instructions.

#include "common/result.hpp"

#include <map>
#include <string>
#include <vector>

namespace sb::sim {

struct scripted_function_call {
  std::string name;           ///< e.g. "record_booking_details"
  std::string arguments_json; ///< JSON object text
};

struct script_turn {
  std::string caller_text; ///< the peer's transcript of this utterance
  std::string caller_clip; ///< audio clip the caller plays (clip_library name)
  /// Function calls the peer makes after hearing the utterance, each answered
  /// by the bridge (function_call_output + response.create) before the next.
  std::vector<scripted_function_call> calls;
  std::string reply_text;    ///< the assistant's words
  std::string reply_clip;    ///< audio clip of the reply
  int pause_before_ms = 400; ///< caller's silence after the previous reply finished playing
  /// Caller barges in: starts this utterance after this many ms of the
  /// PREVIOUS reply have played (-1: waits for the reply to finish).
  int barge_in_after_ms = -1;
  /// Keys the caller presses first (Media Stream `dtmf` frames, one per key,
  /// `key_gap_ms` apart), e.g. "0" or "0412555123#". With caller_clip empty
  /// the caller says nothing this turn: it waits for the reply.
  std::string dtmf;
  int key_gap_ms = 200;
};

struct call_script {
  std::string caller_number = "+15550001111";
  std::string greeting_clip = "greeting"; ///< the peer speaks it on the first response.create
  std::vector<script_turn> turns;
  /// After the last reply, the peer calls end_call and the caller expects the
  /// server to hang up (close the stream). false: the caller sends `stop`.
  bool assistant_hangs_up = true;
  /// After the script (the greeting when it has no turns), the caller goes
  /// silent and stays on the line, sending silence, until the server hangs
  /// up (a timeout's test); the server's hang-up is then expected.
  bool stays_on_line = false;
  /// The post-call analysis's summary the peer writes, by the language code
  /// the analysis request names (`language code "es"`), as a model would
  /// write it in that language; a language without one (or a request naming
  /// none) gets the peer's English default.
  std::map<std::string, std::string> summaries;
};

/// The demo's booking conversation (leaking sink, name, address, tomorrow 10:00).
/// `tomorrow` is YYYY-MM-DD.
call_script demo_script(const std::string& caller_number, const std::string& tomorrow);

/// The same booking in Spanish (clips es_*, sim/audio/clips.txt), with a
/// summary in Spanish and in English (issue 17.1).
call_script spanish_script(const std::string& caller_number, const std::string& tomorrow);

/// Parses a script from JSON (the format of sim/scripts/*.json).
result<call_script> parse_script(const std::string& json);

} // namespace sb::sim
