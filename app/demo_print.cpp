#include "app/demo_print.hpp"

#include "app/admin_text.hpp"

#include <iostream>

namespace sb::app::demo {

namespace {

void print_card(const storage::job& j) {
  std::cout << "\n========================= JOB CARD (from SQLite) =========================\n"
            << "  Job #" << j.id << "   " << j.kind << ", status: " << j.status << "\n"
            << "  Caller:     " << j.caller << "\n"
            << "  Customer:   " << j.details.customer_name << "\n"
            << "  Phone:      " << j.details.callback_phone << "\n"
            << "  Needs:      " << j.details.service << "\n"
            << "  Where:      " << j.details.address << "\n"
            << "  When:       " << j.details.preferred_date << " " << j.details.preferred_time
            << "\n"
            << "  Urgency:    " << j.details.urgency << "\n"
            << "  Summary:    " << j.summary << "\n";
  if (!j.language.empty())
    std::cout << "  Language:   " << j.language << "\n";
  if (!j.analysis.empty())
    std::cout << "  Analysis:   " << j.analysis << "\n";
  if (j.transfer.transferred())
    std::cout << "  Transfer:   " << j.transfer.describe() << "\n";
  if (!j.recording_url.empty())
    std::cout << "  Voicemail:  " << j.recording_url << " (" << j.recording_duration_s << " s)\n";
  std::cout << "  Cost:       " << text::usd(j.cost_usd)
            << " (OpenAI usage, priced per response)\n";
}

void print_turns(const std::vector<storage::transcript_turn>& turns) {
  std::cout << "\n  Transcript (" << turns.size() << " turns, as stored):\n";
  for (const auto& t : turns) {
    std::cout << "    " << (t.role == speaker::caller ? "Caller:    " : "Assistant: ") << t.text;
    if (t.latency_ms >= 0)
      std::cout << "   [" << t.latency_ms << " ms after the caller stopped; bridge "
                << t.bridge_latency_ms << " ms]";
    if (t.truncated)
      std::cout << " [cut by barge-in; generated: " << t.full_text << "]";
    std::cout << "\n";
  }
}

void print_call(const storage::call_record& c) {
  std::cout << "  Call " << c.call_sid << " from " << c.from << ": " << to_string(c.status)
            << ", ended " << to_string(c.end_reason)
            << (c.end_detail.empty() ? "" : " (" + c.end_detail + ")") << "\n";
}

} // namespace

void print_outcome(const outcome& o) {
  if (o.job)
    print_card(*o.job);
  else
    std::cout << "\n(no job card was stored for the call)\n";
  if (o.call)
    print_call(*o.call);
  if (!o.turns.empty())
    print_turns(o.turns);
  std::cout << "===========================================================================\n";
  std::cout << "\nTwilio REST API requests (the stand-in's log): " << o.rest.size() << "\n";
  for (const auto& r : o.rest)
    std::cout << "  " << r.describe() << "\n";
  std::cout << "\nPush notifications delivered to the business: " << o.pushes.size() << "\n";
  for (const auto& p : o.pushes)
    std::cout << "  " << p << "\n";
  for (std::size_t i = 0; i < o.results.size(); ++i)
    if (o.results[i].setup_ms >= 0)
      std::cout << "\nCall " << i + 1 << " set-up (webhook -> first greeting audio at the caller): "
                << o.results[i].setup_ms << " ms";
  std::cout << "\n";
}

} // namespace sb::app::demo
