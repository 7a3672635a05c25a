#pragma once
// The SQLite store: WAL mode, schema migrations applied at open, statements
// prepared once and reset after each step (TDLib SqliteKeyValue). Errors are
// returned, never thrown and never fatal. One store is used from one thread
// at a time: inside the process it sits behind the storage actor; the CLI
// uses it directly.

#include "common/result.hpp"
#include "storage/records.hpp"
#include "storage/report.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sb::storage {

/// The schema version this build migrates to.
int latest_schema_version();

class store {
public:
  /// Opens (creating if needed) and migrates. Errors {"sqlite", "<path>: ..."}
  /// for an unwritable path or a corrupt file, {"schema", ...} for a database
  /// newer than this build.
  static result<std::unique_ptr<store>> open(const std::string& path);
  ~store();

  int schema_version() const;

  // -- tenants --
  status add_tenant(const tenant& t);                    ///< {"exists", ...} for a duplicate number
  result<bool> remove_tenant(const std::string& number); ///< false: no such tenant
  result<std::vector<tenant>> list_tenants();
  result<std::optional<tenant>> find_tenant(const std::string& number);
  /// The calendar's settings (store_calendar.cpp); nullopt keeps one as it
  /// is. false: no such tenant.
  result<bool> set_tenant_slots(const std::string& number, std::optional<int> slot_minutes,
                                std::optional<int> slot_capacity);

  // -- calls --
  status begin_call(const call_record& c); ///< at the webhook; ignores a repeated CallSid
  /// The recording status callback's write to the call. Updates the call's
  /// row; false (nothing written) when no call has that CallSid, unless
  /// `live` (the call is in progress, so its row is made if its webhook's
  /// write has not landed yet).
  result<bool> set_recording(const std::string& call_sid, const std::string& url, int duration_s,
                             bool live);
  /// Where record_voicemail put a recording.
  enum class recording_outcome { unknown_call, on_call, on_job };
  /// A voicemail arrived (the recording callback): in one transaction the
  /// recording goes on the call (set_recording: nothing at all for an
  /// unknown call), the call's job card (if it is written yet) becomes kind
  /// "voicemail" with the recording and needs review, and a push
  /// notification built by `push_body` is queued for the tenant's push URL.
  result<recording_outcome>
  record_voicemail(const std::string& call_sid, const std::string& url, int duration_s, bool live,
                   const std::function<std::string(const job&, const tenant&)>& push_body);
  /// <Dial>'s outcome (the action callback's DialCallStatus) on a
  /// transferred call: on the call's row and on its job card if written.
  /// The callback may come after the call is finalized, or (rarely) before:
  /// finalize keeps it (store_calls.cpp). Where it went, as for a recording;
  /// nothing is written for an unknown call unless `live`. A job card
  /// changed this way queues a push built by `push_body` (job.updated).
  result<recording_outcome>
  set_transfer_status(const std::string& call_sid, const std::string& dial_status, bool live,
                      const std::function<std::string(const job&, const tenant&)>& push_body);
  status append_turn(const transcript_turn& t);
  /// In one transaction: the final call row, its job card, and (if
  /// push_url is non-empty) an outbox entry. Returns the job id.
  result<int64_t> finalize_call(const call_record& c, const job& j, const std::string& push_url,
                                const std::string& push_body);
  result<std::optional<call_record>> get_call(const std::string& call_sid);
  result<std::vector<call_record>> list_calls(int limit);
  result<std::vector<transcript_turn>> turns_for(const std::string& call_sid);

  // -- write ahead and recovery (store_recovery.cpp) --
  /// The booking details recorded so far on a live call, as each
  /// record_booking_details lands; replaces the call's earlier draft. A call
  /// finalized already keeps no draft (nothing is written).
  status save_booking_draft(const std::string& call_sid, const booking& b);
  /// The call's draft; empty when none (finalize_call deletes it).
  result<booking> booking_draft(const std::string& call_sid);
  /// A live call's status as it changes (in_progress when the stream
  /// attaches, with its answer time and the times it was picked up again:
  /// `resumes` never lowers the stored count); a call ended already is not
  /// touched. false: no open call with that CallSid.
  result<bool> set_call_status(const std::string& call_sid, call_status s, int64_t answered_at_ms,
                               int resumes = 0);
  /// The calls `node_id` left open (no end reason), oldest first. Rows with
  /// no node (written before schema v6) count as this node's.
  result<std::vector<call_record>> open_calls(const std::string& node_id);

  // -- several nodes on one database (store_nodes.cpp, issue 16.2) --
  /// This node is alive: its row upserted with its URL and lease, the
  /// heartbeat at the database's clock; `starting` also resets started_at.
  status heartbeat(const std::string& node_id, const std::string& public_url, int64_t lease_ms,
                   bool starting);
  /// Every node's row with its open calls, by id.
  result<std::vector<node_info>> list_nodes();
  /// The open calls (no end reason) of every node, by node then oldest
  /// first, at most `limit` (the console's cluster view, issue 16.3).
  result<std::vector<call_record>> open_calls_everywhere(int limit);
  /// Takeover: the open calls of `dead` (all of them, or only `call_sid`
  /// when non-empty) become `me`'s, if and only if `dead`'s lease has
  /// expired; in one transaction that locks `dead`'s row, so that two
  /// survivors, or a survivor and `dead` starting again, never both get a
  /// call. Returns the calls claimed (none: lease fresh, or claimed already).
  result<std::vector<call_record>> claim_calls(const std::string& dead, const std::string& me,
                                               const std::string& call_sid);
  /// The node holding an open call; nullopt: the call is not open, or its
  /// node has no row (a node from before v18).
  result<std::optional<node_info>> call_owner(const std::string& call_sid);

  // -- the per-tenant concurrency limit across nodes (store_admission.cpp) --
  enum class admission { admitted, already_admitted, busy };
  /// Admits call `c` (tenant_number and node_id set) if its tenant has
  /// fewer than `limit` open calls (no end reason) held by live nodes: this
  /// node (c.node_id) and every node whose lease has not expired on the
  /// database's clock. Admitted: the call's row is written, as begin_call
  /// writes it, in the same transaction; the slot is free again once the
  /// call is finalized (its end reason set) or its node's lease expires.
  /// A CallSid with an open row already is already_admitted, one with an
  /// ended row (a call turned away, stored for its voicemail) busy; nothing
  /// is written for either.
  /// On PostgreSQL the count and the insert are serialized per tenant by
  /// pg_advisory_xact_lock, waited for at most `lock_wait_ms` (then an
  /// error, SQLSTATE 55P03); SQLite's BEGIN IMMEDIATE serializes them.
  result<admission> admit_call(const call_record& c, int limit, int64_t lock_wait_ms);

  // -- jobs --
  result<std::vector<job>> list_jobs(int limit);
  result<std::optional<job>> get_job(int64_t id);
  result<std::optional<job>> job_for_call(const std::string& call_sid);
  /// Jobs of a tenant on `date` (YYYY-MM-DD) with a preferred_time set.
  result<std::vector<job>> jobs_on(const std::string& tenant_number, const std::string& date);

  // -- reports (store_reports.cpp) --
  /// One tenant's calls per day or week, oldest first (storage/report.hpp).
  result<std::vector<report_row>> report(const std::string& tenant_number, report_period p);

  // -- A/B variants (store_variants.cpp) --
  /// {"exists", ...}: the tenant has a live variant of that name.
  status add_variant(const std::string& tenant_number, const variant& v);
  /// false: no live variant of that name. Its calls keep reporting under it.
  result<bool> retire_variant(const std::string& tenant_number, const std::string& name);
  /// The live variants, oldest first (find_tenant fills tenant::variants).
  result<std::vector<variant>> variants_of(const std::string& tenant_number);
  /// Outcomes per variant name over all the tenant's calls.
  result<std::vector<variant_outcome>> variant_report(const std::string& tenant_number);

  // -- recordings on our side and deleting a call (store_recordings.cpp) --
  /// A tenant opts in or out of recording. false: no such tenant.
  result<bool> set_tenant_record(const std::string& number, bool record);
  /// The call's WAV file (recording/). false: no call with that CallSid.
  result<bool> set_recording_file(const std::string& call_sid, const std::string& path);
  /// The call's WAV file; "" when not recorded. nullopt: no such call.
  result<std::optional<std::string>> recording_file(const std::string& call_sid);
  /// A recorded call whose file the retention sweep removes.
  struct expired_recording {
    std::string call_sid;
    std::string path;
  };
  /// Recorded calls started before `before_ms`, oldest first.
  result<std::vector<expired_recording>> recordings_before(int64_t before_ms);
  /// The file is gone: the call no longer names it.
  status clear_recording_file(const std::string& call_sid);
  /// The right to be forgotten: in one transaction the call, its
  /// transcript, its booking draft, its job card and the card's outbox
  /// entries. Returns the recording file the caller must remove ("" : none);
  /// nullopt: no call with that CallSid (nothing deleted).
  result<std::optional<std::string>> delete_call(const std::string& call_sid);

  // -- notification outbox --
  /// The due entries, claimed or not (a look; the notifier claims).
  result<std::vector<outbox_entry>> due_notifications(int64_t now_ms, int limit);
  /// Exactly once across nodes (issue 16.2): up to `limit` due entries that
  /// no node holds a live claim on become `node`'s until now + lease_ms, in
  /// one statement (PostgreSQL: FOR UPDATE SKIP LOCKED, so two nodes
  /// claiming at once take disjoint sets; SQLite has one writer). An entry
  /// whose claim expired (its node died) may be claimed again. Oldest
  /// first.
  result<std::vector<outbox_entry>> claim_notifications(const std::string& node, int64_t now_ms,
                                                        int64_t lease_ms, int limit);
  /// The outcome, written only by the entry's claimer (`node`; "" for an
  /// entry nobody claimed): another node's entry, or one whose expired
  /// claim another node took, is "not_found". A failure gives the claim up.
  status mark_delivered(int64_t id, int64_t now_ms, const std::string& node = "");
  status mark_failed(int64_t id, int attempts, int64_t next_attempt_at_ms, const std::string& error,
                     bool give_up, const std::string& node = "");
  result<std::vector<outbox_entry>> list_outbox();
  /// How many notifications wait for delivery, and since when (the health check).
  result<outbox_backlog> pending_notifications();

private:
  struct impl;
  explicit store(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

} // namespace sb::storage
