#pragma once
// A caller picked up again after its Twilio stream was lost (issue 14.3).
//
// Every <Connect><Stream> is followed by a <Redirect> to the call-next route
// (actors/webhook_answer.hpp): when the stream ends, Twilio asks what next.
//   the call ended normally, or is unknown -> <Hangup/> (or voicemail)
//   the stream was lost                    -> a new <Connect><Stream> (and the
//                                             same <Redirect> after it)
// "Lost" is either
//   - the WebSocket dropped without `stop` (the supervisor's twilio socket
//     went down): the supervisor flushes its transcript, hands the call to
//     the registry (call_lost) and quits; or
//   - this node restarted under the call: at start the registry finds the
//     calls it left open ([server] node_id, storage open_calls).
// Either way the registry holds the call for [resume] grace_ms. Twilio
// retries a <Redirect> that cannot connect (this server is down) rc times,
// by default once (docs/protocols.md 1, connection overrides);
// when the new stream arrives, the registry loads the call from the database
// (its row, turns and booking draft) and spawns a new supervisor for it,
// with the tenant and the call's A/B variant: it configures a new Realtime
// session with the turns replayed as conversation items, and asks for a
// response whose instructions say the call was cut off
// (receptionist::resume_instructions). The call keeps its one row and its
// one job card; `resumes` counts the pick-ups (calls, jobs, the push body),
// written ahead to the call's row as the new stream attaches
// (write_ahead::status), so a call picked up and lost again keeps it.
// A call not back in time is finalized as it would have been at once:
// twilio_socket_lost or server_lost, its card from the booking draft.
//
// Not done: a held call's slot holds are released when it is lost, and a
// resumed call is not admitted against the call limits again.
//
// The code: actors/call_resume.cpp (the registry's side, its state in
// actors/registry_state.hpp) and the supervisor's resume mode
// (call_supervisor.cpp hand_over_lost, call_turns.cpp on_session_ready).
