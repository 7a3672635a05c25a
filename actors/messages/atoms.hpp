#pragma once
// The atoms the actors exchange, one per meaning.
// Part of actors/messages.hpp (include that one); docs/STYLE.md 3.

#include <caf/atom.hpp>

namespace sb::actors {

// -- atoms: one meaning each ----------------------------------------------------

/// An actor's own timer: the notifier polls its outbox; the console pushes its view.
using tick_atom = caf::atom_constant<caf::atom("tick")>;
/// Stop now (storage, notifier, introspection), or end every call (registry).
using shutdown_atom = caf::atom_constant<caf::atom("shutdown")>;
/// The transcript: reply once every turn so far is stored.
using flush_atom = caf::atom_constant<caf::atom("flush")>;
/// The transcript's reply to flush_atom: every turn is stored (or failed, logged).
using flushed_atom = caf::atom_constant<caf::atom("flushed")>;
/// The call supervisor's own timer: the post-call analysis took too long.
using analysis_atom = caf::atom_constant<caf::atom("analysis")>;
/// The notifier: check the outbox now (a job card was just written).
using wake_atom = caf::atom_constant<caf::atom("wake")>;
/// Storage's reply to a write: it is committed.
using stored_atom = caf::atom_constant<caf::atom("stored")>;
/// The registry's reply to shutdown_atom: every call has been finalized.
using drained_atom = caf::atom_constant<caf::atom("drained")>;
/// The supervisor's own timer: a tool is still running after tools.ack_after.
using tool_slow_atom = caf::atom_constant<caf::atom("toolslow")>;
/// A timer: the stream did not attach (supervisor); a tool ran too long (tool call).
using timeout_atom = caf::atom_constant<caf::atom("timeout")>;
/// The OpenAI socket's own timer: the reconnect backoff is over, connect now.
using connect_atom = caf::atom_constant<caf::atom("connect")>;
/// End this call as an operator asked (console, server::hang_up).
using hangup_atom = caf::atom_constant<caf::atom("hangup")>;
/// The supervisor's own timer: the call's longest time is near (stage 0:
/// warn the caller), reached (1: wrap up), or past its wrap-up grace (2).
using max_call_atom = caf::atom_constant<caf::atom("maxcall")>;
/// The supervisor's own timer: look whether the line has been silent too long.
using silence_atom = caf::atom_constant<caf::atom("silence")>;
/// The supervisor's own timer: the Realtime session is near its time limit;
/// move the call to a fresh one (actors/session_recycle.cpp).
using recycle_atom = caf::atom_constant<caf::atom("recycle")>;
/// Supervisor -> a standby OpenAI socket: become the call's live session now.
using take_over_atom = caf::atom_constant<caf::atom("takeover")>;
/// The registry's health figures.
using health_atom = caf::atom_constant<caf::atom("health")>;
/// Storage and the notifier: report what the health check needs to this actor.
using health_sink_atom = caf::atom_constant<caf::atom("hsink")>;
/// The registry's live calls.
using sessions_atom = caf::atom_constant<caf::atom("sessions")>;
/// The number of live calls.
using count_atom = caf::atom_constant<caf::atom("count")>;
/// An actor's own timer: report itself to the console (actors/introspect.hpp).
using report_atom = caf::atom_constant<caf::atom("report")>;
/// The supervisor: the hand-over line (generation N) has played, or its
/// time is up (self, and the media relay's playout callback).
using handed_over_atom = caf::atom_constant<caf::atom("handover")>;
/// The supervisor's own timer: the caller's keys (generation N) are complete.
using digits_done_atom = caf::atom_constant<caf::atom("digitsdone")>;
/// The introspection actor: where operators' hang-ups go (the registry).
using registry_atom = caf::atom_constant<caf::atom("registry")>;
/// The registry's own: a held call's grace period is over (actors/call_resume.hpp).
using resume_expired_atom = caf::atom_constant<caf::atom("resumeexp")>;

} // namespace sb::actors
