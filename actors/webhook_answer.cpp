#include "actors/webhook_answer.hpp"

#include "protocol/twiml.hpp"

namespace sb::actors {

std::shared_ptr<const storage::tenant> tenant_cache::find(const std::string& number,
                                                          int64_t now_ms) const {
  std::lock_guard lock{mutex_};
  auto it = by_number_.find(number);
  if (it == by_number_.end() || now_ms - it->second.second >= ttl_ms)
    return nullptr;
  return it->second.first;
}

void tenant_cache::put(std::shared_ptr<const storage::tenant> t, const std::string& number,
                       int64_t now_ms) {
  std::lock_guard lock{mutex_};
  by_number_[number] = {std::move(t), now_ms};
}

void tenant_cache::forget(const std::string& number) {
  std::lock_guard lock{mutex_};
  by_number_.erase(number);
}

std::string stream_twiml(const config& cfg, const storage::call_record& c,
                         const storage::tenant& t) {
  return proto::twiml_connect_stream(
      cfg.stream_url(),
      {{"callSid", c.call_sid}, {"from", c.from}, {"to", c.to}, {"tenant", t.number}});
}

std::string not_set_up_twiml() {
  return proto::twiml_say_hangup("Sorry, this number is not set up to take calls yet. Goodbye.");
}

std::string unavailable_twiml() {
  return proto::twiml_say_hangup(
      "Sorry, we cannot take your call right now. Please try again later.");
}

} // namespace sb::actors
