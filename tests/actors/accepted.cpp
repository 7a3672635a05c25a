// Messages the interfaces accept: this file must compile
// (tests/actors/check_interfaces.cmake). rejected.cpp is the same with one
// wrong message per case.
#include "actors/interfaces.hpp"

#include <caf/send.hpp>

using namespace sb::actors;

void accepted(call_supervisor_actor sup, twilio_socket_actor twilio, transcript_actor transcript,
              storage_actor storage, call_registry_actor registry, notifier_actor notifier,
              slot_holds_actor holds, finalizer_actor finalizer, openai_socket_actor openai) {
  caf::anon_send(sup, stream_stopped{});
  caf::anon_send(sup, dtmf_digit{"5"});
  caf::anon_send(sup, max_call_atom::value, 0);
  caf::anon_send(sup, silence_atom::value);
  caf::anon_send(sup, analysis_atom::value);
  caf::anon_send(sup, recycle_atom::value, 1);
  caf::anon_send(sup, openai_session_ready{true, true});
  caf::anon_send(twilio, hangup_after_playout{});
  caf::anon_send(openai, take_over_atom::value); // a standby session takes the call over
  caf::anon_send(transcript, caller_said{});
  caf::anon_send(storage, append_turn{});
  caf::anon_send(registry, openai_observation{true});
  caf::anon_send(registry, storage_write_report{false, "database is locked"});
  caf::anon_send(registry, outbox_report{});
  health_sink_actor sink = registry; // the registry is where health is reported
  caf::anon_send(storage, health_sink_atom::value, sink);
  caf::anon_send(notifier, health_sink_atom::value, sink);
  caf::anon_send(holds, release_holds{"CA1"});
  caf::anon_send(registry, call_next{"CA1", true, "openai_unavailable"});
  caf::anon_send(registry, refused_call{{}, {}, "tenant_busy"});
  caf::anon_send(storage, load_call{"CA1"});                    // the registry's recovery of a call
  caf::anon_send(finalizer, recover_call{});                    // a call whose supervisor died
  caf::anon_send(storage, finalize_call{{}, {}, {}, {}, true}); // once
  // issue 13: transfer to a person, keypad digits
  caf::anon_send(sup, digits_done_atom::value, 1);
  caf::anon_send(sup, transfer_request{"operator"});
  caf::anon_send(sup, handed_over_atom::value, 1);
  caf::anon_send(sup, transfer_rest_done{false, "401 20003"});
  caf::anon_send(registry, operator_transfer{"CA1"});
  caf::anon_send(registry, transfer_ended{"CA1", "no-answer"});
  caf::anon_send(storage, set_transfer_status{"CA1", "completed", false});
  caf::anon_send(storage, save_booking_draft{"CA1", {}}); // write ahead: a tool actor
  caf::anon_send(storage, set_call_status{"CA1", sb::call_status::in_progress, 1}); // a supervisor
  caf::anon_send(storage, open_calls{"node-1"}); // the registry, at start
}
