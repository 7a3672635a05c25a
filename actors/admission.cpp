#include "actors/admission.hpp"

namespace sb::actors {

const char* to_string(admission_verdict v) {
  switch (v) {
  case admission_verdict::admitted:
    return "admitted";
  case admission_verdict::already_admitted:
    return "already_admitted";
  case admission_verdict::tenant_busy:
    return "tenant_busy";
  case admission_verdict::tenant_rate:
    return "tenant_rate";
  case admission_verdict::server_busy:
    return "server_busy";
  }
  return "unknown";
}

admission_verdict call_admission::admit(const std::string& call_sid, const std::string& tenant,
                                        const call_limits& limits, int64_t now_ms) {
  constexpr int64_t minute_ms = 60'000;
  std::lock_guard lock(mutex_);
  if (tenant_of_.count(call_sid) != 0)
    return admission_verdict::already_admitted;
  if (limits.server_concurrent > 0 &&
      static_cast<int>(tenant_of_.size()) >= limits.server_concurrent)
    return admission_verdict::server_busy;
  if (limits.tenant_concurrent > 0 && live_[tenant] >= limits.tenant_concurrent)
    return admission_verdict::tenant_busy;
  auto& recent = admitted_at_[tenant];
  while (!recent.empty() && recent.front() <= now_ms - minute_ms)
    recent.pop_front();
  if (limits.tenant_per_minute > 0 && static_cast<int>(recent.size()) >= limits.tenant_per_minute)
    return admission_verdict::tenant_rate;
  recent.push_back(now_ms);
  tenant_of_.emplace(call_sid, tenant);
  ++live_[tenant];
  return admission_verdict::admitted;
}

void call_admission::release(const std::string& call_sid) {
  std::lock_guard lock(mutex_);
  auto it = tenant_of_.find(call_sid);
  if (it == tenant_of_.end())
    return;
  if (auto l = live_.find(it->second); l != live_.end() && --l->second <= 0)
    live_.erase(l);
  tenant_of_.erase(it);
}

int call_admission::live(const std::string& tenant) const {
  std::lock_guard lock(mutex_);
  auto it = live_.find(tenant);
  return it == live_.end() ? 0 : it->second;
}

int call_admission::live_total() const {
  std::lock_guard lock(mutex_);
  return static_cast<int>(tenant_of_.size());
}

} // namespace sb::actors
