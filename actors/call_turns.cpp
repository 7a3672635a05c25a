// Turn-taking for one call: greeting, responses, barge-in, tools, latency.
// See call_supervisor.hpp for the protocol picture.

#include "actors/call_state.hpp"

#include "common/log.hpp"
#include "common/time.hpp"
#include "receptionist/cost.hpp"
#include "receptionist/session.hpp"
#include "receptionist/test_fault.hpp"
#include "receptionist/tools.hpp"

#include <caf/all.hpp>

namespace sb::actors::detail {

namespace {

void observe(sup_ptr self, const std::string& line) {
  if (self->state.svc.observer)
    self->state.svc.observer(self->state.call.call_sid, line);
}

void hang_up_when_played(sup_ptr self) {
  auto& st = self->state;
  if (st.twilio)
    self->send(st.twilio, hangup_after_playout{});
  else
    end_call(self, end_reason::assistant_hangup);
}

/// Whether a barge-in sends response.cancel (docs/protocols.md 3). Every
/// barge-in is the service's own VAD start event, and with interrupt_response
/// the service cancels the response in progress itself, before the bridge
/// hears of it: a cancel of ours would find nothing to cancel and be refused
/// (response_cancel_not_active). Without it, only a response the service
/// confirmed (response.created) and has not finished (response.done) can be
/// cancelled: one merely asked for may not exist yet, and one whose
/// response.done arrived is over even if its audio is still playing.
bool should_cancel(const call_state& st) {
  return !proto::vad_interrupts_response && st.response_in_progress;
}

/// input_audio_buffer.speech_started: the caller talks over the assistant.
void barge_in(sup_ptr self) {
  auto& st = self->state;
  if (!st.twilio)
    return;
  bool response_active = st.response_active;
  self->request(st.twilio, st.svc.cfg->call.barge_in_query, barge_in_request{})
      .then(
          [self, response_active](barge_in_cut& cut) {
            auto& st = self->state;
            if (!cut.cleared && !response_active)
              return; // nothing was playing
            ++st.call.barge_ins;
            if (st.svc.metrics)
              st.svc.metrics->barge_ins.inc();
            observe(self, "barge-in: caller interrupted after " + std::to_string(cut.heard_ms) +
                              " ms of " + std::to_string(cut.sent_ms) + " ms");
            report_line(self, "barge_in",
                        "caller interrupted after " + std::to_string(cut.heard_ms) + " ms of " +
                            std::to_string(cut.sent_ms) + " ms");
            // Truncating an item none of which played fails ("Only model output
            // audio messages can be truncated"); docs/protocols.md 3.
            if (!cut.item_id.empty() && cut.item_id != "apology" && cut.heard_ms > 0) {
              send_openai(self, proto::build_truncate(cut.item_id, 0, cut.heard_ms));
            }
            if (!cut.item_id.empty())
              self->send(st.transcript,
                         assistant_truncated{cut.item_id, cut.heard_ms, cut.sent_ms});
            if (should_cancel(st))
              send_openai(self, proto::build_response_cancel());
            publish(self);
          },
          [](caf::error&) {});
}

void on_function_call(sup_ptr self, const proto::rt_event& ev) {
  auto& st = self->state;
  if (ev.call_id.empty() || st.tool_calls.count(ev.call_id) != 0)
    return;                                     // seen already
  if (ev.name == receptionist::transfer_tool) { // the call's own (call_transfer.cpp)
    st.tool_calls[ev.call_id] = tool_request{ev.call_id, ev.name, ev.arguments};
    return on_transfer_tool(self, ev);
  }
  // Tests only (receptionist/test_fault.hpp): this supervisor dies mid-call.
  if (st.svc.cfg->debug.test_faults && receptionist::crash_target_of(ev.name, ev.arguments) ==
                                           receptionist::crash_target::supervisor)
    return self->quit(make_error(call_error::injected_fault, "__test_crash in call_supervisor"));
  tool_request req{ev.call_id, ev.name, ev.arguments};
  st.tool_calls[ev.call_id] = req;
  st.pending_tools.insert(ev.call_id);
  observe(self, "tool: " + ev.name + " " + ev.arguments);
  report_line(self, "tool", ev.name + " " + ev.arguments);
  self->send(st.tools, req);
  self->delayed_send(self, st.svc.cfg->tools.ack_after, tool_slow_atom::value, ev.call_id);
}

} // namespace

/// response.create once nothing blocks it: no response active (the service
/// refuses a second one: conversation_already_has_active_response) and every
/// tool output of the last response sent.
void maybe_respond(sup_ptr self) {
  auto& st = self->state;
  if (!st.response_wanted || st.response_active || !st.pending_tools.empty() || !st.openai_ready)
    return;
  st.response_wanted = false;
  st.response_active = true; // until response.done; response.created confirms it
  send_openai(self, proto::build_response_create());
}

/// A call picked up again (actors/call_resume.hpp): its new session hears
/// the conversation so far, then a reply that says the call was cut off.
void resume_conversation(sup_ptr self) {
  auto& st = self->state;
  auto reply = [self] {
    send_openai(self, proto::build_response_create(
                          receptionist::resume_instructions(self->state.booking.customer_name)));
  };
  self->request(st.transcript, st.svc.cfg->call.replay_query, caf::get_atom::value)
      .then(
          [self, reply](transcript_so_far& so_far) {
            replay_conversation(self, self->state.openai, so_far);
            reply();
          },
          [reply](caf::error&) { reply(); });
}

void on_session_ready(sup_ptr self, const openai_session_ready& r) {
  auto& st = self->state;
  st.openai_ready = true;
  st.ever_ready = true;
  st.failed_attempts = 0;
  st.response_active = st.response_in_progress = false;
  if (!r.reconnect && st.resumed && !st.greeting_requested) {
    st.greeting_requested = true;
    st.response_active = true;
    resume_conversation(self);
    publish(self);
    return;
  }
  if (!r.reconnect) {
    if (!st.greeting_requested) {
      st.greeting_requested = true;
      st.response_active = true;
      const std::string consent =
          recording_on(st)
              ? receptionist::consent_sentence(st.tenant, st.svc.cfg->recording.consent)
              : "";
      send_openai(self, proto::build_response_create(
                            receptionist::greeting_instructions(st.tenant, consent)));
    }
    publish(self);
    return;
  }
  // A new Realtime session knows nothing: replay the conversation so far,
  // then let the model carry on if the caller spoke last.
  self->request(st.transcript, st.svc.cfg->call.replay_query, caf::get_atom::value)
      .then(
          [self](transcript_so_far& so_far) {
            auto& st = self->state;
            replay_conversation(self, st.openai, so_far);
            if (!so_far.turns.empty() && so_far.turns.back().role == speaker::caller)
              st.response_wanted = true;
            if (!st.pending_tools.empty())
              st.response_wanted = true;
            maybe_respond(self);
          },
          [](caf::error&) {});
  publish(self);
}

void replay_conversation(sup_ptr self, const openai_socket_actor& to,
                         const transcript_so_far& so_far) {
  auto& st = self->state;
  auto send = [&](std::string json) {
    ++st.stats.out;
    self->send(to, openai_send{std::move(json)});
  };
  if (!st.booking.empty())
    send(proto::build_message_item("system", "Booking details recorded so far (before a "
                                             "reconnect): " +
                                                 st.booking.customer_name + ", " +
                                                 st.booking.service + ", " + st.booking.address +
                                                 ", " + st.booking.preferred_date + " " +
                                                 st.booking.preferred_time));
  for (const auto& t : so_far.turns)
    send(proto::build_message_item(t.role == speaker::caller ? "user" : "assistant", t.text));
  log::info("RealtimeServer",
            "Replayed " + std::to_string(so_far.turns.size()) +
                " turns to the new OpenAI session of " + st.call.call_sid,
            st.svc.log);
}

void on_realtime(sup_ptr self, realtime_event& e) {
  auto& st = self->state;
  auto& ev = e.ev;
  using proto::rt_type;
  st.response_asked_ms = 0; // the session answers (any event will do: an error too)
  note_activity(self, ev.type);
  switch (ev.type) {
  case rt_type::speech_started:
    st.caller_turn_started_ms = now_ms();
    barge_in(self);
    return;
  case rt_type::speech_stopped:
    st.speech_end_us = e.speech_end_us >= 0 ? e.speech_end_us : e.received_us;
    st.upstream_bridge_us = e.upstream_bridge_us;
    st.speech_end_ms = now_ms();
    return;
  case rt_type::input_transcript_completed:
    observe(self, "caller: " + ev.text);
    report_line(self, "caller", ev.text);
    log::info("RealtimeServer", "User: " + ev.text, st.svc.log);
    self->send(st.transcript,
               caller_said{ev.item_id, ev.text,
                           st.caller_turn_started_ms ? st.caller_turn_started_ms : st.speech_end_ms,
                           st.speech_end_ms});
    publish(self);
    return;
  case rt_type::response_created:
    st.response_active = st.response_in_progress = true;
    return;
  case rt_type::response_done:
    st.response_active = st.response_in_progress = false;
    charge_usage(st, ev.usage);
    if (st.hangup_requested)
      hang_up_when_played(self);
    transfer_on_response_done(self);
    maybe_respond(self);
    return;
  case rt_type::function_args_done:
    on_function_call(self, ev);
    return;
  case rt_type::output_item_done:
    if (ev.item_type == "function_call")
      on_function_call(self, ev);
    return;
  case rt_type::output_transcript_done: {
    auto t = st.items[ev.item_id];
    observe(self, "assistant: " + ev.text +
                      (t.latency_ms >= 0
                           ? "  [turn latency " + std::to_string(t.latency_ms) + " ms, bridge " +
                                 std::to_string(t.bridge_latency_ms) + " ms]"
                           : ""));
    log::info("RealtimeServer", "Assistant: " + ev.text, st.svc.log);
    report_line(self, "assistant", ev.text, t.latency_ms, ev.item_id);
    self->send(st.transcript, assistant_said{ev.item_id, ev.text, now_ms(), now_ms(), t.latency_ms,
                                             t.bridge_latency_ms});
    publish(self);
    return;
  }
  case rt_type::error:
    // Logged by the socket; a refused cancel/truncate is harmless. A
    // refused session.update would leave the session unusable.
    if (ev.error_code == "conversation_already_has_active_response")
      st.response_active = true;
    return;
  default:
    return;
  }
}

void on_first_audio(sup_ptr self, const first_audio_sent& f) {
  auto& st = self->state;
  if (st.speech_end_us < 0)
    return; // the greeting, or a reply not to speech
  item_timing t;
  t.latency_ms = static_cast<int>((f.sent_us - st.speech_end_us) / 1000);
  int64_t bridge_us = f.sent_us - f.received_us;
  if (st.upstream_bridge_us >= 0)
    bridge_us += st.upstream_bridge_us;
  t.bridge_latency_ms = static_cast<int>(bridge_us / 1000);
  st.items[f.item_id] = t;
  if (st.svc.metrics)
    st.svc.metrics->turn_latency.observe(t.latency_ms / 1000.0);
  st.speech_end_us = -1;
}

void on_tool_result(sup_ptr self, tool_result& r) {
  auto& st = self->state;
  if (st.pending_tools.erase(r.call_id) == 0)
    return;
  if (st.svc.metrics)
    st.svc.metrics->tool_call(r.name, r.ok, r.duration_us / 1e6);
  report_line(self, "tool",
              r.name + (r.ok ? " ok" : " failed") + " in " + std::to_string(r.duration_us / 1000) +
                  " ms");
  send_openai(self, proto::build_function_call_output(r.call_id, r.output));
  if (r.has_booking) {
    st.booking = std::move(r.booking);
    publish(self);
  }
  if (st.pending_tools.empty())
    st.acknowledged = false;
  if (r.end_call) {
    st.hangup_requested = true;
    observe(self, "assistant hangs up after the goodbye");
    if (!st.response_active)
      hang_up_when_played(self);
    return;
  }
  st.response_wanted = true;
  maybe_respond(self);
}

void fail_pending_tools(sup_ptr self) {
  auto& st = self->state;
  auto pending = st.pending_tools; // on_tool_result takes each out
  for (const auto& call_id : pending) {
    tool_result r;
    r.call_id = call_id;
    r.name = st.tool_calls[call_id].name;
    auto failed = receptionist::tool_failed(
        "the tool failed; tell the caller you could not complete that and offer to take a message",
        r.name == receptionist::check_availability_tool ? "available" : "ok");
    r.output = std::move(failed.output);
    r.ok = false;
    log::warn("RealtimeServer", "Tool " + r.name + " of " + st.call.call_sid +
                                    " was lost with its actor; the model hears an error");
    on_tool_result(self, r);
  }
}

void on_tool_slow(sup_ptr self, const std::string& call_id) {
  auto& st = self->state;
  // A tool is slow: rather than dead air, the model says a short "one
  // moment" while it runs (only if it is not already speaking).
  if (st.pending_tools.count(call_id) == 0 || st.acknowledged || st.response_active)
    return;
  st.acknowledged = true;
  st.response_active = true;
  observe(self, "tool is slow: asking the assistant for a short acknowledgement");
  send_openai(self, proto::build_response_create(receptionist::acknowledgement_instructions()));
}

void charge_usage(call_state& st, const proto::token_usage& usage) {
  st.call.usage += usage;
  // Priced once per response, at the prices in force (receptionist/cost.hpp);
  // the call row, the job card and the console carry this sum.
  st.call.cost_usd += receptionist::cost_usd(usage, st.svc.cfg->prices);
  if (st.svc.metrics)
    st.svc.metrics->tokens(usage.input_text, usage.input_audio, usage.input_cached,
                           usage.output_text, usage.output_audio);
}

} // namespace sb::actors::detail
