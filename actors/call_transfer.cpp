// Transfer to a person and keypad digits for one call (issue 13 items 1-2).
// A transfer, whatever asked for it (the transfer_to_human tool, the
// transfer key, the console's Transfer button):
//   1. is refused, and the call goes on, without a transfer number, outside
//      business hours unless the tenant allows it, or without Twilio's REST
//      API configured;
//   2. the assistant says the hand-over line (response.create with the line
//      quoted), and the media relay tells when its audio has played (the
//      echoed marks, docs/protocols.md 3);
//   3. the REST client updates the live call with <Dial> (telephony/
//      twilio_rest_client.hpp): Twilio ends the Media Stream (stop, close)
//      and rings the number; the call is finalized as `transferred`;
//   4. <Dial>'s action (the call-next route, ?after=transfer) brings
//      DialCallStatus: stored on the call and its job card by CallSid
//      (actors/call_callbacks.cpp), and a caller nobody answered is offered
//      voicemail. A refused update is logged, stored ("refused"), and told
//      to the model, which carries on with the caller.

#include "actors/call_state.hpp"

#include "common/log.hpp"
#include "common/time.hpp"
#include "protocol/twiml.hpp"
#include "receptionist/hours.hpp"
#include "receptionist/session.hpp"
#include "receptionist/tools.hpp"
#include "telephony/twilio_rest_client.hpp"

#include <caf/all.hpp>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace sb::actors::detail {

namespace {

using step = transfer_progress::step;

/// Why this call cannot be transferred now ("" : it can).
std::string refusal(sup_ptr self) {
  auto& st = self->state;
  if (st.ending != end_reason::none || !st.twilio)
    return "the call is ending";
  if (st.transfer.at != step::none)
    return "a transfer is already under way";
  if (st.tenant.transfer_number.empty())
    return "no transfer number is set up for this business";
  if (!st.svc.rest)
    return "the phone system's API is not configured";
  if (!st.tenant.transfer_after_hours) {
    auto open = receptionist::open_at(st.tenant.hours, now_ms(), st.tenant.timezone);
    if (open && !*open)
      return "it is outside business hours and nobody can take the call";
  }
  return {};
}

std::string json_output(bool ok, const std::string& text) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w{buf};
  w.StartObject();
  w.Key("ok");
  w.Bool(ok);
  w.Key(ok ? "status" : "error");
  w.String(text.c_str(), static_cast<rapidjson::SizeType>(text.size()));
  w.EndObject();
  return buf.GetString();
}

/// The model hears what happened (a system message) and speaks next.
void tell_model(sup_ptr self, const std::string& text) {
  send_openai(self, proto::build_message_item("system", text));
  self->state.response_wanted = true;
  maybe_respond(self);
}

/// response.create for the hand-over line, once no response is active.
void say_handover(sup_ptr self) {
  auto& st = self->state;
  if (st.response_active || !st.openai_ready) {
    st.transfer.line_wanted = true;
    return;
  }
  st.transfer.line_wanted = false;
  st.transfer.line_sent = true;
  st.response_active = true;
  const auto& line = st.tenant.transfer_message.empty() ? st.svc.cfg->transfer.message
                                                        : st.tenant.transfer_message;
  send_openai(self, proto::build_response_create(receptionist::handover_instructions(line)));
}

/// The hand-over line's audio is all with the relay: wait for it to play
/// (or for handover_max, if its marks never come back).
void await_playout(sup_ptr self) {
  auto& st = self->state;
  const int gen = ++st.transfer.generation;
  auto addr = caf::actor_cast<caf::actor_addr>(self);
  st.relay->notify_when_played([addr, gen] {
    if (auto sup = caf::actor_cast<call_supervisor_actor>(addr))
      caf::anon_send(sup, handed_over_atom::value, gen);
  });
  self->delayed_send(self, st.svc.cfg->transfer.handover_max, handed_over_atom::value, gen);
}

/// <Dial> with the caller's number as caller ID and the action back to the
/// call-next route (https://www.twilio.com/docs/voice/twiml/dial: callerId,
/// timeout 5-600 s, action, method; the action request carries
/// DialCallStatus).
std::string dial_twiml(const call_state& st) {
  proto::dial_options d;
  d.number = st.tenant.transfer_number;
  d.caller_id = st.call.from;
  d.timeout_s = st.svc.cfg->transfer.dial_timeout_s;
  d.action = st.svc.cfg->call_next_url() + "?after=transfer";
  d.method = "POST";
  return proto::twiml_response({proto::verb_dial(d)});
}

void keys_to_model(sup_ptr self, const std::string& digits) {
  auto& st = self->state;
  log::info("RealtimeServer", "Caller of " + st.call.call_sid + " keyed " + digits, st.svc.log);
  report_line(self, "event", "caller keyed " + digits);
  send_openai(self, proto::build_message_item("user", receptionist::keys_pressed_text(digits)));
  st.response_wanted = true;
  maybe_respond(self);
}

} // namespace

std::string start_transfer(sup_ptr self, std::string reason) {
  auto& st = self->state;
  auto why = refusal(self);
  if (!why.empty()) {
    log::info("RealtimeServer",
              "Transfer of " + st.call.call_sid + " (" + reason + ") not possible: " + why,
              st.svc.log);
    report_line(self, "event", "transfer (" + reason + ") not possible: " + why);
    return why;
  }
  log::info("RealtimeServer", "Transferring " + st.call.call_sid + " (" + reason + ")", st.svc.log);
  report_line(self, "event", "transfer (" + reason + "): saying the hand-over line");
  st.transfer.at = step::handing_over;
  st.call.transfer.reason = std::move(reason);
  say_handover(self);
  return {};
}

void on_transfer_tool(sup_ptr self, const proto::rt_event& ev) {
  std::string reason;
  rapidjson::Document args;
  args.Parse(ev.arguments.c_str());
  if (!args.HasParseError() && args.IsObject() && args.HasMember("reason") &&
      args["reason"].IsString())
    reason = args["reason"].GetString();
  report_line(self, "tool", ev.name + " " + ev.arguments);
  auto why =
      start_transfer(self, "tool: " + (reason.empty() ? std::string{"unspecified"} : reason));
  // The output first: the hand-over response (say_handover) follows it.
  send_openai(self, proto::build_function_call_output(
                        ev.call_id,
                        why.empty() ? json_output(true, "transferring; the hand-over line is said "
                                                        "for you, say nothing else")
                                    : json_output(false, "cannot transfer: " + why +
                                                             ". Tell the caller and offer to "
                                                             "take a message.")));
  if (!why.empty()) {
    self->state.response_wanted = true;
    maybe_respond(self);
  }
}

void transfer_on_response_done(sup_ptr self) {
  auto& t = self->state.transfer;
  if (t.at != step::handing_over)
    return;
  if (t.line_sent) { // the hand-over line's own response.done
    t.line_sent = false;
    return await_playout(self);
  }
  if (t.line_wanted)
    say_handover(self);
}

void on_handed_over(sup_ptr self, int generation) {
  auto& st = self->state;
  if (st.transfer.at != step::handing_over || generation != st.transfer.generation)
    return;
  if (st.ending != end_reason::none || !st.twilio)
    return;
  st.transfer.at = step::updating;
  auto addr = caf::actor_cast<caf::actor_addr>(self);
  st.svc.rest->update_call(st.call.call_sid, dial_twiml(st), [addr](proto::rest_result r) {
    transfer_rest_done done{r.ok(), r.ok() ? std::string{} : r.error().describe()};
    if (auto sup = caf::actor_cast<call_supervisor_actor>(addr))
      caf::anon_send(sup, std::move(done));
  });
}

void on_transfer_rest_done(sup_ptr self, const transfer_rest_done& r) {
  auto& st = self->state;
  if (st.transfer.at != step::updating)
    return;
  if (r.ok) {
    // Twilio now ends the stream (stop, close): the call ends `transferred`.
    st.transfer.at = step::dialing;
    st.call.transfer.status = "dialing";
    log::info("RealtimeServer",
              "Call " + st.call.call_sid + " redirected to <Dial> " + st.tenant.transfer_number,
              st.svc.log);
    report_line(self, "event", "transfer: dialing " + st.tenant.transfer_number);
    return;
  }
  log::error("RealtimeServer",
             "Transfer of " + st.call.call_sid +
                 " failed: Twilio's REST API refused the call "
                 "update (" +
                 r.detail + "); the call goes on with the assistant",
             st.svc.log);
  report_line(self, "event", "transfer failed: " + r.detail);
  st.transfer.at = step::none;
  st.call.transfer.status = "refused";
  tell_model(self, "The transfer to a person did not go through (the phone system refused it). "
                   "Apologise, tell the caller nobody can be put through right now, and offer to "
                   "take a message.");
}

void on_dtmf(sup_ptr self, const std::string& digit) {
  auto& st = self->state;
  if (st.transfer.at != step::none || st.ending != end_reason::none)
    return;         // on its way to a person already
  if (digit == "#") // ends an entry at once (docs/protocols.md 1: dtmf.digit)
    return on_digits_done(self, st.keys.generation);
  st.keys.digits += digit;
  self->delayed_send(self, st.svc.cfg->transfer.digit_gap, digits_done_atom::value,
                     ++st.keys.generation);
}

void on_digits_done(sup_ptr self, int generation) {
  auto& st = self->state;
  if (generation != st.keys.generation || st.keys.digits.empty())
    return;
  auto digits = std::exchange(st.keys.digits, {});
  ++st.keys.generation; // a pending gap timer is stale now
  // The transfer key counts only pressed on its own: "0" is a request for
  // a person, "0412555123" a phone number that starts with 0.
  if (digits != st.svc.cfg->transfer.dtmf_digit)
    return keys_to_model(self, digits);
  auto why = start_transfer(self, "dtmf");
  if (!why.empty())
    tell_model(self, "The caller pressed " + digits + " to reach a person, but " + why +
                         ". Tell the caller and offer to take a message.");
}

} // namespace sb::actors::detail
