#include "actors/tenant_cache.hpp"

namespace sb::actors {

tenant_cache::tenant_cache(int64_t ttl, int64_t pushed_ttl) : ttl_(ttl), pushed_ttl_(pushed_ttl) {}

std::shared_ptr<const storage::tenant> tenant_cache::find(const std::string& number,
                                                          int64_t now_ms) const {
  std::lock_guard lock{mutex_};
  auto it = by_number_.find(number);
  if (it == by_number_.end() || now_ms - it->second.second >= (pushed_ ? pushed_ttl_ : ttl_))
    return nullptr;
  return it->second.first;
}

uint64_t tenant_cache::stamp() const {
  std::lock_guard lock{mutex_};
  return stamp_;
}

void tenant_cache::put(std::shared_ptr<const storage::tenant> t, const std::string& number,
                       int64_t now_ms, uint64_t stamp) {
  std::lock_guard lock{mutex_};
  if (stamp != stamp_)
    return; // read before a change this cache has heard of since
  by_number_[number] = {std::move(t), now_ms};
}

void tenant_cache::forget(const std::string& number) {
  std::lock_guard lock{mutex_};
  ++stamp_;
  by_number_.erase(number);
}

void tenant_cache::clear() {
  std::lock_guard lock{mutex_};
  ++stamp_;
  by_number_.clear();
}

void tenant_cache::set_pushed(bool pushed) {
  std::lock_guard lock{mutex_};
  if (pushed) {
    ++stamp_;
    by_number_.clear();
  }
  pushed_ = pushed;
}

bool tenant_cache::pushed() const {
  std::lock_guard lock{mutex_};
  return pushed_;
}

} // namespace sb::actors
