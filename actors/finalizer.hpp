#pragma once
// Writes a finished call to SQLite, whatever ended it: waits for the
// transcript's last turn to be stored, then in one transaction the call
// record (end reason, token usage), its job card, and a push notification in
// the outbox; then wakes the notifier. A call with no booking details still
// gets a job card, marked needs_review. Answers finalize_request with the
// job card's id, or an error if storage failed; then quits. A call is
// written once: if it was finalized already (a supervisor and the
// registry's recovery of it raced), the card that stands is the answer.
//
// It also finalizes a call whose supervisor died (recover_call, from the
// registry): the call row as stored, with end reason internal_error, and the
// job card from the booking the supervisor last published, else from the
// call's booking draft (written ahead); the transcript turns are in the
// database already. The same path finalizes the calls a crashed server left
// open (end reason server_lost, at its next start), ended at their last
// stored activity.

#include "actors/services.hpp"

namespace sb::actors {

/// `transcript` is flushed first (may be null: nothing to wait for).
finalizer_actor spawn_finalizer(caf::local_actor* parent, services svc,
                                transcript_actor transcript);

} // namespace sb::actors
