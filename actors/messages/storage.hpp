#pragma once
// Messages to the storage actor (SQLite stays behind it, storage/) and to the
// finalizer that writes a finished call through it.
// Part of actors/messages.hpp (include that one); docs/STYLE.md 3.

#include "actors/inspect_records.hpp"
#include "common/call_types.hpp"

#include <caf/meta/type_name.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace sb::actors {

// -- storage ----------------------------------------------------------------------------

struct find_tenant {
  std::string number;
};
/// find_tenant's answer.
struct tenant_lookup {
  bool found = false;
  storage::tenant tenant;
};
struct begin_call {
  storage::call_record call;
};
struct append_turn {
  storage::transcript_turn turn;
};
struct set_recording {
  std::string call_sid;
  std::string url;
  int duration_s = 0;
  bool live = false; ///< the call is in progress: make its row if not there yet
};
/// <Dial>'s outcome on the call and its card (store::set_transfer_status).
struct set_transfer_status {
  std::string call_sid;
  std::string dial_status;
  bool live = false; ///< the call is in progress: make its row if not there yet
};
struct finalize_call {
  storage::call_record call;
  storage::job job;
  std::string push_url;
  std::string push_body;
  /// Only if the call has not been finalized yet (its stored end reason is
  /// empty); otherwise nothing is written and the reply is the job card that
  /// stands. The finalizer always sets it: whichever of a supervisor and the
  /// registry's recovery comes first writes the call, once.
  bool once = false;
};
/// A call as stored so far (the registry's recovery of a call whose
/// supervisor died): answered with stored_call.
struct load_call {
  std::string call_sid;
};
struct stored_call {
  bool found = false;
  storage::call_record call;
  std::vector<storage::transcript_turn> turns;
  storage::booking draft; ///< the booking details written ahead (empty: none)
};
/// Write ahead (a tool actor, as record_booking_details lands): the call's
/// booking details so far, so that its job card survives a crash.
struct save_booking_draft {
  std::string call_sid;
  storage::booking booking;
};
/// Write ahead (a supervisor): the live call's status changed (the stream
/// attached: in_progress, with its answer time and its resumes, so that a
/// call picked up again and then lost again keeps its count). Answered
/// false when no open call has that CallSid.
struct set_call_status {
  std::string call_sid;
  call_status status = call_status::ringing;
  int64_t answered_at_ms = 0;
  int resumes = 0;
};
/// A supervisor: the call is being recorded to `path` (issue 17.3).
/// Answered false when no call has that CallSid.
struct set_recording_file {
  std::string call_sid;
  std::string path;
};
/// The daily retention sweep (app/server.cpp): recordings of calls older
/// than `retention_days` are removed (recording/retention.hpp); answered
/// with how many.
struct sweep_recordings {
  int retention_days = 0;
};
/// The registry at start: the calls this node left open (the server died
/// under them), each with its business; answered std::vector<lost_call>.
struct open_calls {
  std::string node_id;
};
struct lost_call {
  storage::call_record call;
  storage::tenant tenant; ///< empty number: the business is gone (no push)
};
struct jobs_on_day {
  std::string tenant_number;
  std::string date;
};
/// The console's Reports page (issue 17.5): store::report of one tenant.
struct report_query {
  std::string tenant_number;
  bool weekly = false; ///< per week (from Monday, UTC), else per day
};
/// The console's Variants page (issue 17.2): the tenant's live variants.
struct variants_query {
  std::string tenant_number;
};
/// variants_query's answer: the live variants (store::variants_of) and the
/// outcomes per variant name over every call (store::variant_report).
struct variants_overview {
  std::vector<storage::variant> live;
  std::vector<storage::variant_outcome> outcomes;
};
/// Every tenant (the console's pages pick one).
struct tenants_query {};
struct due_notifications {
  int64_t now_ms = 0;
  int limit = 0;
};
/// The notifier asks how many notifications wait, and since when.
struct outbox_backlog_query {};
struct notification_delivered {
  int64_t id = 0;
};
struct notification_failed {
  int64_t id = 0;
  int attempts = 0;
  int64_t next_attempt_at_ms = 0;
  std::string error;
  bool give_up = false;
};
/// The notifier's HTTP attempt finished.
struct delivery_outcome {
  storage::outbox_entry entry;
  int status = 0;
  std::string error;
};

// -- finalizer ----------------------------------------------------------------------------

/// Write this finished call (after flushing its transcript, if any).
/// `transcript` is the call's transcript actor as an untyped handle: the
/// finalizer asks it flush_atom only (actors/interfaces.hpp).
struct finalize_request {
  storage::call_record call;
  storage::tenant tenant;
  storage::booking booking;
  /// The post-call analysis (JSON: intent, sentiment, summary); empty with
  /// analysis_asked: it failed or timed out, and the card is for review.
  std::string analysis;
  bool analysis_asked = false;
};

/// Finalize a call whose supervisor died (registry -> finalizer): from the
/// call as stored, with what the registry knew of it (`call`: its end reason
/// and times; `booking`: the last the supervisor published). Answered with
/// the job card's id, 0 if the call had been finalized already.
struct recover_call {
  storage::call_record call;
  storage::tenant tenant;
  storage::booking booking;
};

// -- inspect: these payloads ------------------------------------------------------------

template <class F> auto inspect(F& f, find_tenant& x) {
  return f(caf::meta::type_name("find_tenant"), x.number);
}
template <class F> auto inspect(F& f, tenant_lookup& x) {
  return f(caf::meta::type_name("tenant_lookup"), x.found, x.tenant);
}
template <class F> auto inspect(F& f, begin_call& x) {
  return f(caf::meta::type_name("begin_call"), x.call);
}
template <class F> auto inspect(F& f, append_turn& x) {
  return f(caf::meta::type_name("append_turn"), x.turn);
}
template <class F> auto inspect(F& f, set_recording& x) {
  return f(caf::meta::type_name("set_recording"), x.call_sid, x.url, x.duration_s, x.live);
}
template <class F> auto inspect(F& f, set_transfer_status& x) {
  return f(caf::meta::type_name("set_transfer_status"), x.call_sid, x.dial_status, x.live);
}
template <class F> auto inspect(F& f, finalize_call& x) {
  return f(caf::meta::type_name("finalize_call"), x.call, x.job, x.push_url, x.push_body, x.once);
}
template <class F> auto inspect(F& f, load_call& x) {
  return f(caf::meta::type_name("load_call"), x.call_sid);
}
template <class F> auto inspect(F& f, stored_call& x) {
  return f(caf::meta::type_name("stored_call"), x.found, x.call, x.turns, x.draft);
}
template <class F> auto inspect(F& f, save_booking_draft& x) {
  return f(caf::meta::type_name("save_booking_draft"), x.call_sid, x.booking);
}
template <class F> auto inspect(F& f, set_call_status& x) {
  return f(caf::meta::type_name("set_call_status"), x.call_sid, x.status, x.answered_at_ms,
           x.resumes);
}
template <class F> auto inspect(F& f, set_recording_file& x) {
  return f(caf::meta::type_name("set_recording_file"), x.call_sid, x.path);
}
template <class F> auto inspect(F& f, sweep_recordings& x) {
  return f(caf::meta::type_name("sweep_recordings"), x.retention_days);
}
template <class F> auto inspect(F& f, open_calls& x) {
  return f(caf::meta::type_name("open_calls"), x.node_id);
}
template <class F> auto inspect(F& f, lost_call& x) {
  return f(caf::meta::type_name("lost_call"), x.call, x.tenant);
}
template <class F> auto inspect(F& f, jobs_on_day& x) {
  return f(caf::meta::type_name("jobs_on_day"), x.tenant_number, x.date);
}
template <class F> auto inspect(F& f, report_query& x) {
  return f(caf::meta::type_name("report_query"), x.tenant_number, x.weekly);
}
template <class F> auto inspect(F& f, variants_query& x) {
  return f(caf::meta::type_name("variants_query"), x.tenant_number);
}
template <class F> auto inspect(F& f, variants_overview& x) {
  return f(caf::meta::type_name("variants_overview"), x.live, x.outcomes);
}
template <class F> auto inspect(F& f, tenants_query&) {
  return f(caf::meta::type_name("tenants_query"));
}
template <class F> auto inspect(F& f, due_notifications& x) {
  return f(caf::meta::type_name("due_notifications"), x.now_ms, x.limit);
}
template <class F> auto inspect(F& f, outbox_backlog_query&) {
  return f(caf::meta::type_name("outbox_backlog_query"));
}
template <class F> auto inspect(F& f, notification_delivered& x) {
  return f(caf::meta::type_name("notification_delivered"), x.id);
}
template <class F> auto inspect(F& f, notification_failed& x) {
  return f(caf::meta::type_name("notification_failed"), x.id, x.attempts, x.next_attempt_at_ms,
           x.error, x.give_up);
}
template <class F> auto inspect(F& f, delivery_outcome& x) {
  return f(caf::meta::type_name("delivery_outcome"), x.entry, x.status, x.error);
}
template <class F> auto inspect(F& f, finalize_request& x) {
  return f(caf::meta::type_name("finalize_request"), x.call, x.tenant, x.booking, x.analysis,
           x.analysis_asked);
}
template <class F> auto inspect(F& f, recover_call& x) {
  return f(caf::meta::type_name("recover_call"), x.call, x.tenant, x.booking);
}

} // namespace sb::actors
