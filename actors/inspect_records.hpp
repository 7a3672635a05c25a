#pragma once
// CAF 0.17 inspect() overloads for the plain records that travel inside the
// actors' messages (storage/records.hpp, protocol/realtime.hpp). They live
// here, not beside the records, so that storage/ and protocol/ stay free of
// CAF; argument-dependent lookup finds them in the records' namespaces.

#include "protocol/realtime.hpp"
#include "storage/records.hpp"
#include "storage/report.hpp"

#include <caf/meta/type_name.hpp>

namespace sb::proto {

template <class F> auto inspect(F& f, token_usage& x) {
  return f(caf::meta::type_name("token_usage"), x.input_text, x.input_audio, x.input_cached,
           x.input_cached_text, x.input_cached_audio, x.output_text, x.output_audio);
}

template <class F> auto inspect(F& f, rt_event& x) {
  return f(caf::meta::type_name("rt_event"), x.type, x.type_name, x.event_id, x.item_id,
           x.response_id, x.item_type, x.item_role, x.content_index, x.delta, x.text, x.call_id,
           x.name, x.arguments, x.audio_start_ms, x.audio_end_ms, x.response_status, x.usage,
           x.error_type, x.error_code, x.error_message, x.purpose, x.output_text);
}

} // namespace sb::proto

namespace sb::storage {

template <class F> auto inspect(F& f, variant& x) {
  return f(caf::meta::type_name("variant"), x.name, x.voice, x.greeting, x.instructions, x.weight);
}

template <class F> auto inspect(F& f, tenant& x) {
  return f(caf::meta::type_name("tenant"), x.id, x.number, x.name, x.greeting, x.context,
           x.timezone, x.language, x.voice, x.push_url, x.hours, x.max_concurrent,
           x.calls_per_minute, x.transfer_number, x.transfer_after_hours, x.transfer_message,
           x.max_call_ms, x.silence_ms, x.stream_attach_ms, x.variants, x.languages, x.greetings,
           x.slot_minutes, x.slot_capacity);
}

template <class F> auto inspect(F& f, transfer_info& x) {
  return f(caf::meta::type_name("transfer_info"), x.reason, x.status);
}

template <class F> auto inspect(F& f, booking& x) {
  return f(caf::meta::type_name("booking"), x.customer_name, x.callback_phone, x.service, x.address,
           x.preferred_date, x.preferred_time, x.urgency, x.notes);
}

template <class F> auto inspect(F& f, call_record& x) {
  return f(caf::meta::type_name("call_record"), x.call_sid, x.account_sid, x.tenant_number, x.from,
           x.to, x.started_at_ms, x.answered_at_ms, x.ended_at_ms, x.status, x.end_reason,
           x.end_detail, x.recording_url, x.recording_duration_s, x.usage, x.cost_usd,
           x.openai_reconnects, x.barge_ins, x.transfer, x.node_id, x.openai_recycles, x.variant,
           x.language, x.resumes);
}

template <class F> auto inspect(F& f, transcript_turn& x) {
  return f(caf::meta::type_name("transcript_turn"), x.call_sid, x.seq, x.role, x.text, x.full_text,
           x.started_at_ms, x.ended_at_ms, x.truncated, x.latency_ms, x.bridge_latency_ms);
}

template <class F> auto inspect(F& f, job& x) {
  return f(caf::meta::type_name("job"), x.id, x.call_sid, x.tenant_number, x.caller, x.details,
           x.status, x.summary, x.cost_usd, x.created_at_ms, x.kind, x.recording_url,
           x.recording_duration_s, x.transfer, x.analysis, x.language, x.resumes);
}

template <class F> auto inspect(F& f, outbox_entry& x) {
  return f(caf::meta::type_name("outbox_entry"), x.id, x.url, x.body, x.attempts,
           x.next_attempt_at_ms, x.delivered_at_ms, x.last_error);
}

template <class F> auto inspect(F& f, report_row& x) {
  return f(caf::meta::type_name("report_row"), x.period, x.calls, x.answered, x.booked,
           x.transferred, x.voicemails, x.abandoned, x.latency_turns, x.latency_median_ms,
           x.latency_p95_ms, x.tokens, x.cost_usd);
}

template <class F> auto inspect(F& f, variant_outcome& x) {
  return f(caf::meta::type_name("variant_outcome"), x.variant, x.calls, x.booked, x.transferred,
           x.voicemails, x.duration_ms, x.barge_ins, x.cost_usd, x.latency_turns, x.latency_sum_ms);
}

template <class F> auto inspect(F& f, outbox_backlog& x) {
  return f(caf::meta::type_name("outbox_backlog"), x.pending, x.oldest_created_at_ms);
}

} // namespace sb::storage
