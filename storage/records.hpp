#pragma once
// The rows Switchboard stores, as plain values. No SQLite here.

#include "common/call_types.hpp"
#include "protocol/realtime.hpp" // token_usage

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sb::storage {

/// A named A/B variant of a tenant's voice, greeting and instructions
/// (issue 17.2); each call gets one, by weight (receptionist/variants.hpp).
struct variant {
  std::string name;
  std::string voice;        ///< empty: the tenant's
  std::string greeting;     ///< empty: the tenant's
  std::string instructions; ///< added to the tenant's context
  int weight = 1;           ///< > 0; a call's chance is weight / sum of weights
};

/// A business this server answers for, keyed by its Twilio number (the
/// original design's `users` table).
struct tenant {
  int64_t id = 0;
  std::string number; ///< E.164, e.g. "+15551230000"
  std::string name;
  std::string greeting; ///< receptionist_greeting: the first thing callers hear
  std::string context;  ///< business context for the AI's instructions
  std::string timezone = "UTC";
  std::string language = "en"; ///< ISO 639-1: the default, the business's own language
  /// The languages it serves (ISO 639-1), the default among them; empty:
  /// only `language`. More than one: the assistant answers in the caller's.
  std::vector<std::string> languages;
  /// A greeting per language code; a language without one gets `greeting`.
  std::map<std::string, std::string> greetings;
  std::string voice;                         ///< empty: config default
  std::string push_url;                      ///< job cards are POSTed here
  std::string hours = "mon-fri 08:00-17:00"; ///< business hours for check_availability
  int max_concurrent = 0;      ///< live calls at once; 0: config limits.tenant_max_concurrent
  int calls_per_minute = 0;    ///< calls admitted in any 60 s; 0: limits.tenant_calls_per_minute
  std::string transfer_number; ///< where a transfer dials (E.164); empty: no transfers
  bool transfer_after_hours = false; ///< transfer outside `hours` too
  std::string transfer_message;      ///< the hand-over line; empty: config transfer.message
  int64_t max_call_ms = 0;           ///< the longest call; 0: config timeouts.max_call
  int64_t silence_ms = 0; ///< caller silence before "are you there?"; 0: timeouts.silence
  int64_t stream_attach_ms =
      0; ///< the Media Stream must attach by then; 0: twilio.stream_attach_timeout
  std::vector<variant> variants; ///< the live (not retired) A/B variants; empty: none
  bool record = false;           ///< its calls are recorded (recording/, consent said first)
  /// The calendar (migration v17): one booking's length in minutes (0: config
  /// tools.slot_minutes) and how many bookings may overlap one slot.
  int slot_minutes = 0;
  int slot_capacity = 1;
  /// slot_minutes, or `config_default` when it is 0.
  int slot_length(int config_default) const {
    return slot_minutes > 0 ? slot_minutes : config_default;
  }
};

/// Why a call was transferred and how it went (migration v6): a call
/// record's and its job card's.
struct transfer_info {
  std::string reason; ///< empty: not transferred; "tool: <why>", "dtmf", "operator"
  /// dialing, then <Dial>'s DialCallStatus (completed, answered, busy,
  /// no-answer, failed, canceled), or refused (Twilio refused the update).
  std::string status;
  bool transferred() const { return !reason.empty(); }
  /// A person picked up (DialCallStatus completed or answered).
  bool human_answered() const { return status == "completed" || status == "answered"; }
  /// One line for the job card: "transferred (dtmf); a person answered".
  std::string describe() const;
};

/// The job card's details, as gathered by record_booking_details.
struct booking {
  std::string customer_name;
  std::string callback_phone;
  std::string service;        ///< what they need
  std::string address;        ///< where
  std::string preferred_date; ///< YYYY-MM-DD
  std::string preferred_time; ///< HH:MM
  std::string urgency;        ///< "emergency" | "urgent" | "normal" | ...
  std::string notes;
  bool empty() const {
    return customer_name.empty() && callback_phone.empty() && service.empty() && address.empty() &&
           preferred_date.empty() && preferred_time.empty() && urgency.empty() && notes.empty();
  }
};

/// One call, from webhook to end.
struct call_record {
  std::string call_sid;
  std::string account_sid;
  std::string tenant_number;
  std::string from, to;
  int64_t started_at_ms = 0;  ///< webhook received
  int64_t answered_at_ms = 0; ///< stream started (0: never)
  int64_t ended_at_ms = 0;
  call_status status = call_status::ringing;
  sb::end_reason end_reason = sb::end_reason::none;
  std::string end_detail; ///< free text after the reason (e.g. why the socket was lost)
  std::string recording_url;
  int recording_duration_s = 0;
  proto::token_usage usage; ///< the sum of every response.done's usage
  double cost_usd = 0;      ///< usage priced as it arrived (receptionist/cost.hpp)
  int openai_reconnects = 0;
  int openai_recycles = 0; ///< moves to a fresh Realtime session before its 60-minute limit
  int barge_ins = 0;
  transfer_info transfer;
  /// The server that ran the call ([server] node_id): its next start
  /// finalizes the calls it left open (end reason server_lost).
  std::string node_id;
  std::string variant;  ///< the A/B variant the call got ("": none)
  std::string language; ///< ISO 639-1, the language the call was held in ("": unknown)
  /// Times the caller was picked up again after its stream was lost (issue
  /// 14.3, actors/call_resume.hpp): one call row, one job card throughout.
  int resumes = 0;
};

/// A node of a cluster on one database (issue 16.2, storage/store_nodes.cpp):
/// its row in `nodes` as read at `db_now_ms`, the database's clock.
struct node_info {
  std::string node_id;
  std::string public_url;
  int64_t started_at_ms = 0;
  int64_t heartbeat_at_ms = 0; ///< its last heartbeat
  int64_t lease_ms = 0;
  int64_t db_now_ms = 0; ///< the database's clock when this was read
  int open_calls = 0;    ///< its call rows with no end reason
  int64_t lease_age_ms() const { return db_now_ms - heartbeat_at_ms; }
  /// No heartbeat for longer than its lease: presumed dead, its calls may be claimed.
  bool expired() const { return heartbeat_at_ms + lease_ms < db_now_ms; }
};

/// The end reason as the calls table stores it: "reason" or "reason: detail".
std::string end_reason_text(const call_record& c);

/// One finished turn of the conversation.
struct transcript_turn {
  std::string call_sid;
  int seq = 0; ///< 0, 1, 2 ... per call, in the order turns completed
  speaker role = speaker::caller;
  std::string text;      ///< what the caller heard: a cut assistant turn ends "..." (approx.)
  std::string full_text; ///< what was said or generated in full (== text unless truncated)
  int64_t started_at_ms = 0;
  int64_t ended_at_ms = 0;
  bool truncated = false;     ///< barge-in cut this assistant turn
  int latency_ms = -1;        ///< caller speech end -> first assistant audio to Twilio
  int bridge_latency_ms = -1; ///< the bridge's own share of latency_ms
};

/// The job card handed to the business when a call ends.
struct job {
  int64_t id = 0;
  std::string call_sid;
  std::string tenant_number;
  std::string caller; ///< the From number
  booking details;
  std::string status = "new"; ///< new | needs_review
  std::string summary;        ///< one line for the notification
  double cost_usd = 0;        ///< the call's OpenAI cost (call_record::cost_usd)
  int64_t created_at_ms = 0;
  std::string kind = "call"; ///< call | voicemail (the caller left a message)
  std::string recording_url; ///< voicemail: Twilio's recording
  int recording_duration_s = 0;
  transfer_info transfer; ///< the call's (a transfer's outcome may arrive after the card)
  std::string analysis;   ///< post-call analysis, JSON {intent, sentiment, summary}; "" : none
  std::string language;   ///< the call's (call_record::language); "": unknown
  int resumes = 0;        ///< the call's (call_record::resumes)
};

/// A push notification waiting to be delivered (at-least-once).
struct outbox_entry {
  int64_t id = 0;
  std::string url;
  std::string body; ///< JSON
  int attempts = 0;
  int64_t next_attempt_at_ms = 0;
  int64_t delivered_at_ms = 0; ///< 0: not yet
  std::string last_error;
};

/// The notifications still to deliver (not delivered, not given up).
struct outbox_backlog {
  int pending = 0;
  int64_t oldest_created_at_ms = 0; ///< 0: none pending
};

} // namespace sb::storage
