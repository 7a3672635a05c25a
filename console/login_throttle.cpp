#include "console/login_throttle.hpp"

#include <algorithm>

namespace sb::console {

int64_t login_throttle::wait_ms(const std::string& address, int64_t now_ms) const {
  std::lock_guard lock(mutex_);
  auto it = by_address_.find(address);
  if (it == by_address_.end())
    return 0;
  return std::max<int64_t>(0, it->second.allowed_at - now_ms);
}

int64_t login_throttle::failed(const std::string& address, int64_t now_ms) {
  std::lock_guard lock(mutex_);
  if (by_address_.size() >= max_addresses && by_address_.count(address) == 0) {
    auto oldest = std::min_element(by_address_.begin(), by_address_.end(), [](auto& a, auto& b) {
      return a.second.last_failure < b.second.last_failure;
    });
    by_address_.erase(oldest);
  }
  auto& e = by_address_[address];
  // A quiet address starts afresh once its longest wait has passed twice over.
  if (e.failures > 0 && now_ms - e.last_failure > 2 * max_delay_ms)
    e = entry{};
  ++e.failures;
  e.last_failure = now_ms;
  int64_t delay = 0;
  if (e.failures > free_failures) {
    int doublings = std::min(e.failures - free_failures - 1, 20);
    delay = std::min(max_delay_ms, first_delay_ms << doublings);
  }
  e.allowed_at = now_ms + delay;
  return delay;
}

void login_throttle::succeeded(const std::string& address) {
  std::lock_guard lock(mutex_);
  by_address_.erase(address);
}

std::string login_throttle::address_of(const std::string& remote) {
  if (!remote.empty() && remote.front() == '[') {
    auto close = remote.find(']');
    return close == std::string::npos ? remote : remote.substr(1, close - 1);
  }
  auto colon = remote.rfind(':');
  return colon == std::string::npos ? remote : remote.substr(0, colon);
}

} // namespace sb::console
