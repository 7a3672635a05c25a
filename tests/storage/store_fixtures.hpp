#pragma once
// Sample rows for store tests.

#include "storage/records.hpp"

#include <string>

namespace sb::test {

inline storage::call_record sample_call(const std::string& sid) {
  storage::call_record c;
  c.call_sid = sid;
  c.account_sid = "AC0123456789abcdef0123456789abcdef";
  c.tenant_number = "+15551230000";
  c.from = "+15559870000";
  c.to = "+15551230000";
  c.started_at_ms = 1'764'244'800'000; // 2025-11-27T12:00:00Z
  return c;
}

inline storage::call_record ended(storage::call_record c) {
  c.answered_at_ms = c.started_at_ms + 1'000;
  c.ended_at_ms = c.started_at_ms + 95'000;
  c.status = sb::call_status::completed;
  c.end_reason = sb::end_reason::caller_hangup;
  c.usage.input_text = 11;
  c.usage.input_audio = 2200;
  c.usage.input_cached = 64;
  c.usage.input_cached_text = 4;
  c.usage.input_cached_audio = 60;
  c.usage.output_text = 33;
  c.usage.output_audio = 4400;
  c.openai_reconnects = 1;
  c.barge_ins = 2;
  c.cost_usd = 0.353456;
  return c;
}

inline storage::job sample_job(const std::string& date = "2026-12-01",
                               const std::string& time = "09:00") {
  storage::job j;
  j.details.customer_name = "Dana Smith";
  j.details.callback_phone = "+15559870000";
  j.details.service = "leaking kitchen tap";
  j.details.address = "12 Elm Street";
  j.details.preferred_date = date;
  j.details.preferred_time = time;
  j.details.urgency = "normal";
  j.details.notes = "side door";
  j.summary = "Dana Smith: leaking kitchen tap, " + date + " " + time;
  return j;
}

} // namespace sb::test
