#pragma once
// Who may ring through: per-tenant concurrent calls and calls per minute, and
// the server's total, checked once per new CallSid at the webhook (issue
// "Every caller gets through", item 5). A caller over a limit is answered
// with a polite busy message (webhook_answer.hpp path 6), never a 5xx.
//
// One object, shared by the webhook route (io threads) and the registry (an
// actor): the route answers known tenants on the io thread without the
// registry (webhook_answer.hpp path 1), so the count has to be taken where
// the answer is made, under one mutex, or 50 webhooks at once would all see
// room for one more.

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <string>

namespace sb::actors {

/// The limits that apply to one call: 0 means none.
struct call_limits {
  int tenant_concurrent = 0;
  int tenant_per_minute = 0;
  int server_concurrent = 0;
};

enum class admission_verdict { admitted, already_admitted, tenant_busy, tenant_rate, server_busy };

/// "tenant_busy" ...: for logs and the refused-calls metric's label.
const char* to_string(admission_verdict v);

/// Whether the call may ring through (admitted or already_admitted).
inline bool rings_through(admission_verdict v) {
  return v == admission_verdict::admitted || v == admission_verdict::already_admitted;
}

class call_admission {
public:
  /// Admits `call_sid` for `tenant` if it is under every limit, and counts
  /// it until release(). A CallSid already admitted (Twilio retried the
  /// webhook) is admitted again without counting twice. Calls per minute
  /// count admitted calls whose webhook came in the last 60 s.
  admission_verdict admit(const std::string& call_sid, const std::string& tenant,
                          const call_limits& limits, int64_t now_ms);

  /// The call is over; unknown SIDs are ignored (idempotent).
  void release(const std::string& call_sid);

  int live(const std::string& tenant) const;
  int live_total() const;

private:
  mutable std::mutex mutex_;
  std::map<std::string, std::string> tenant_of_;           ///< live CallSid -> tenant
  std::map<std::string, int> live_;                        ///< tenant -> live calls
  std::map<std::string, std::deque<int64_t>> admitted_at_; ///< tenant -> admissions, last 60 s
};

} // namespace sb::actors
