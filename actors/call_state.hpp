#pragma once
// Internal to the call supervisor: its state, shared by call_supervisor.cpp
// (life cycle and supervision) and call_turns.cpp (turn-taking: responses,
// barge-in, tools). Not for other actors.

#include "actors/introspect.hpp"
#include "actors/services.hpp"
#include "common/call_types.hpp"
#include "protocol/realtime.hpp"
#include "relay/media_relay.hpp"
#include "storage/records.hpp"

#include <caf/stateful_actor.hpp>

#include <map>
#include <set>
#include <string>

namespace sb::actors::detail {

struct item_timing {
  int latency_ms = -1;
  int bridge_latency_ms = -1;
};

/// A transfer to a person (actors/call_transfer.cpp), step by step.
struct transfer_progress {
  enum class step : uint8_t {
    none,         ///< no transfer (or one was refused: the call goes on)
    handing_over, ///< the hand-over line is asked for, spoken, or playing
    updating,     ///< the REST update to <Dial> is in flight
    dialing,      ///< Twilio took it: the stream ends, <Dial> rings the person
  } at = step::none;
  bool line_wanted = false; ///< the hand-over response waits for the one in progress
  bool line_sent = false;   ///< its response.create is sent; its response.done starts playout
  int generation = 0;       ///< of the playout wait (a late timer is ignored)
};

/// Keys the caller pressed, collected into one entry (call_transfer.cpp).
struct keypad_entry {
  std::string digits;
  int generation = 0; ///< of the digit-gap timer
};

struct call_state {
  services svc;
  storage::tenant tenant;
  storage::call_record call;
  storage::booking booking;
  call_phase phase = call_phase::connecting;

  // children
  openai_socket_actor openai;
  twilio_socket_actor twilio;
  transcript_actor transcript;
  tool_call_actor tools;
  relay::media_relay_ptr relay; ///< the audio path between the two sockets, shared with them
  /// Every child spawned and not yet gone: their exit messages (they are
  /// linked) are theirs, not a reason for the supervisor to stop.
  std::set<caf::actor_addr> children;

  // the OpenAI leg
  bool openai_ready = false;
  bool ever_ready = false;
  int failed_attempts = 0; ///< consecutive, reset when a session is ready
  /// The Realtime API could not be reached: the caller hears the apology,
  /// and the call ends with end_reason::openai_unavailable.
  bool openai_unavailable = false;

  // turn-taking
  bool greeting_requested = false;
  bool response_active =
      false; ///< response.create sent or response.created seen, until response.done
  bool response_in_progress = false; ///< response.created seen, response.done not yet
  bool response_wanted = false;      ///< tool outputs sent: the model should speak again
  /// A response.create went to a ready session and no event has come back
  /// since (the answer watchdog, on_call_tick); 0: none outstanding.
  int64_t response_asked_ms = 0;
  bool acknowledged = false;           ///< a "one moment" was given for the running tools
  std::set<std::string> pending_tools; ///< call_ids
  std::map<std::string, tool_request> tool_calls; ///< for the replay after a reconnect
  bool hangup_requested = false; ///< end_call: hang up after the goodbye has played
  bool stream_stopped = false;

  // latency of the next assistant item
  int64_t speech_end_us = -1;
  int64_t upstream_bridge_us = -1;
  int64_t speech_end_ms = 0;
  std::map<std::string, item_timing> items;
  int64_t caller_turn_started_ms = 0;

  end_reason ending = end_reason::none; ///< set once: the call is ending
  /// The post-call analysis (call_analysis.cpp).
  struct {
    bool asked = false;   ///< requested as the call ended
    bool waiting = false; ///< requested, no answer yet: finalizing waits
    std::string json;     ///< the answer; empty: none (failed, timed out, not asked)
  } analysis;
  /// Why the call ends once hangup_requested has played out: the end_call
  /// tool's assistant_hangup, or a timeout's max_duration / caller_silent.
  end_reason hangup_reason = end_reason::assistant_hangup;

  // timeouts (call_timers.cpp)
  bool caller_speaking = false;         ///< speech_started seen, speech_stopped not yet
  int64_t caller_transcript_due_ms = 0; ///< speech_stopped at; 0: its transcript is in
  int64_t last_activity_ms = 0;         ///< caller speech or assistant audio last seen
  bool asked_if_there = false;          ///< "are you still there?" was asked, no answer yet
  bool max_call_reached = false;
  // Deadlines looked at on the call's tick, not long delayed messages: CAF
  // 0.17's clock holds a strong reference to the receiver of a delayed
  // message until it fires, so a 30-minute timer kept every ended call's
  // supervisor in memory for 30 minutes (bench/RESULTS.md, soak).
  int64_t max_call_warn_at_ms = 0; ///< 0: none or done
  int64_t max_call_at_ms = 0;      ///< 0: none or done
  int64_t session_limit_at_ms = 0; ///< the live session's recycle time; 0: none

  // moving to a fresh Realtime session before its time limit (session_recycle.cpp)
  openai_socket_actor standby; ///< configured, not yet carrying the call
  bool standby_ready = false;
  bool switching = false;   ///< the transcript to replay has been asked for
  int session_gen = 0;      ///< one per live session: stale timers are ignored
  int standby_failures = 0; ///< consecutive

  // transfer and keypad (issue 13)
  transfer_progress transfer;
  keypad_entry keys;

  // picked up again after a lost stream (actors/call_resume.hpp)
  bool resumed = false;   ///< the first response says the call was cut off, not the greeting
  bool next_said = false; ///< the registry was told what follows the stream (call_next)
  bool recorded = false;  ///< a recording was started (the first stream's only)

  // the console (issue 5): own message counts, children's restarts and failures
  actor_stats stats;
  std::map<std::string, child_health> health; ///< by child name
  int turns_seen = 0;                         ///< transcript turns at the last publish
  static inline const char* name = "call_supervisor";
};

using sup_ptr = call_supervisor_actor::stateful_pointer<call_state>;

/// The tenant records its calls and this server writes recordings (issue 17.3).
inline bool recording_on(const call_state& st) {
  return st.tenant.record && st.svc.recorder != nullptr;
}

// call_supervisor.cpp
void publish(sup_ptr self);
/// Ends the call once: stops input, then finalizes; `detail` is free text
/// stored after the reason.
void end_call(sup_ptr self, end_reason reason, std::string detail = {});

/// A response's tokens: added to the call, priced, counted in the metrics
/// (call_turns.cpp; the post-call analysis's response too).
void charge_usage(call_state& st, const proto::token_usage& usage);
void send_openai(sup_ptr self, std::string json);
/// The second half of end_call: flush and finalize, then quit.
void finalize_call(sup_ptr self);

// call_analysis.cpp: the post-call analysis, out of band on the session
/// Asks for it if the call had a conversation and the session is up; false:
/// not asked (finalize now).
bool start_analysis(sup_ptr self);
/// While it is awaited: takes every Realtime event (true), finalizing on its answer.
bool on_analysis_event(sup_ptr self, const proto::rt_event& ev);
/// No answer will come (timeout, session lost): finalize without it.
void analysis_failed(sup_ptr self, const std::string& why);
void analysis_over(sup_ptr self);
/// The answer's JSON object (intent, sentiment, summary), canonical; "" if unusable.
std::string parse_analysis(std::string_view text);
/// The console's view of the call (to the introspection actor, if any).
void report_call(sup_ptr self, int64_t job_id = 0);
/// One line of the call's live log for the console: kind caller | assistant |
/// barge_in | tool | event.
void report_line(sup_ptr self, std::string kind, std::string text, int latency_ms = -1,
                 std::string item_id = {});

/// Spawns an OpenAI socket child: the live one (st.openai), or a standby.
openai_socket_actor spawn_openai(sup_ptr self, std::chrono::milliseconds delay, bool reconnect,
                                 bool standby = false);

// call_timers.cpp: the longest call, the silent caller, the stream that never attaches
/// The tenant's stream attach timeout (else [twilio] stream_attach_timeout_ms).
std::chrono::milliseconds stream_attach_timeout(const call_state& st);
/// The stream attached: the longest-call and silence timers start.
void start_call_timers(sup_ptr self);
void on_max_call(sup_ptr self, int stage);
void on_call_tick(sup_ptr self);
/// Every Realtime event passes here first: who is speaking, for the timers
/// and for choosing a moment between turns.
void note_activity(sup_ptr self, proto::rt_type type);
/// response.create with `instructions` unless a response is active or tool
/// outputs are due (the service would refuse it); false: not sent, try later.
bool prompt_now(sup_ptr self, const std::string& instructions);

// session_recycle.cpp: a fresh Realtime session before the 60-minute limit
/// A live session is configured: its time limit starts (a standby of the
/// previous session, if any, is dropped).
void arm_session_limit(sup_ptr self);
void on_recycle(sup_ptr self, int generation);
void on_standby_ready(sup_ptr self);
void on_standby_down(sup_ptr self, const caf::error& reason);

// call_turns.cpp
/// The conversation so far (booking and turns) as items for a new session.
void replay_conversation(sup_ptr self, const openai_socket_actor& to,
                         const transcript_so_far& so_far);
void on_realtime(sup_ptr self, realtime_event& e);
void on_tool_result(sup_ptr self, tool_result& r);
void on_first_audio(sup_ptr self, const first_audio_sent& f);
void on_session_ready(sup_ptr self, const openai_session_ready& r);
void on_tool_slow(sup_ptr self, const std::string& call_id);
/// The tool actor died: every call sent to it without a result is answered
/// with an error output, then the model speaks (the usual response rules).
void fail_pending_tools(sup_ptr self);
/// response.create once nothing blocks it (a response active, tool outputs
/// missing, the session not ready) and the model is wanted.
void maybe_respond(sup_ptr self);

// call_transfer.cpp (issue 13: transfer to a person, keypad digits)
/// Starts a transfer for `reason` ("tool: ...", "dtmf", "operator"): "" when
/// it has started, else why it cannot happen (the call goes on).
std::string start_transfer(sup_ptr self, std::string reason);
/// The model called transfer_to_human: its output says whether it started.
void on_transfer_tool(sup_ptr self, const proto::rt_event& ev);
/// A response ended: the hand-over line is asked for, or starts to play out.
void transfer_on_response_done(sup_ptr self);
/// The hand-over line (generation) has played: redirect the call to <Dial>.
void on_handed_over(sup_ptr self, int generation);
void on_transfer_rest_done(sup_ptr self, const transfer_rest_done& r);
/// A `dtmf` frame's key: collected, or the transfer key.
void on_dtmf(sup_ptr self, const std::string& digit);
void on_digits_done(sup_ptr self, int generation);

} // namespace sb::actors::detail
