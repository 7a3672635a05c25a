#include "actors/health_watch.hpp"

namespace sb::actors {

void health_watch::on_openai(bool connected, int64_t now_ms) {
  openai_connected_ = connected;
  openai_observed_at_ms_ = now_ms;
  openai_failures_in_a_row_ = connected ? 0 : openai_failures_in_a_row_ + 1;
}

void health_watch::on_storage(const storage_write_report& r, int64_t now_ms) {
  writes_waiting_ = r.pending;
  last_write_failed_ = !r.ok;
  if (r.ok)
    return;
  last_write_error_ = r.error;
  if (r.pending == 0) // a write given up, not one kept for a retry
    write_failures_ms_.push_back(now_ms);
}

health_info health_watch::judge(int64_t now_ms) {
  health_info h;
  h.openai_connected = openai_connected_;
  h.openai_observed_at_ms = openai_observed_at_ms_;
  judge_storage(h, now_ms);
  judge_openai(h);
  judge_outbox(h, now_ms);
  return h;
}

void health_watch::judge_storage(health_info& h, int64_t now_ms) {
  while (!write_failures_ms_.empty() &&
         write_failures_ms_.front() <= now_ms - cfg_.storage_window.count())
    write_failures_ms_.pop_front();
  if (cfg_.storage_failures == 0)
    return;
  if (writes_waiting_ > 0) {
    h.reasons.push_back(
        {"storage_failing", std::to_string(writes_waiting_) +
                                " write(s) kept in memory until the database takes them, retried; "
                                "the last refusal: " +
                                last_write_error_});
    return;
  }
  int recent = static_cast<int>(write_failures_ms_.size());
  bool too_many = cfg_.storage_failures > 0 && recent >= cfg_.storage_failures;
  if (cfg_.storage_failures == 0 || (!last_write_failed_ && !too_many))
    return;
  h.reasons.push_back(
      {"storage_failing",
       (last_write_failed_ ? std::string{"the last storage write failed"}
                           : std::to_string(recent) + " storage writes failed in the last " +
                                 std::to_string(cfg_.storage_window.count() / 1000) + " s") +
           ": " + last_write_error_});
}

void health_watch::judge_openai(health_info& h) const {
  if (cfg_.openai_failures <= 0 || openai_failures_in_a_row_ < cfg_.openai_failures)
    return;
  h.reasons.push_back({"openai_unreachable", "the last " +
                                                 std::to_string(openai_failures_in_a_row_) +
                                                 " OpenAI Realtime connections failed"});
}

void health_watch::judge_outbox(health_info& h, int64_t now_ms) const {
  if (outbox_.pending == 0)
    return;
  int64_t age = now_ms - outbox_.oldest_created_at_ms;
  bool too_many = cfg_.outbox_pending > 0 && outbox_.pending > cfg_.outbox_pending;
  bool too_old = cfg_.outbox_max_age.count() > 0 && age > cfg_.outbox_max_age.count();
  if (!too_many && !too_old)
    return;
  h.reasons.push_back({"outbox_backlog", std::to_string(outbox_.pending) +
                                             " push notification(s) waiting for delivery, the "
                                             "oldest for " +
                                             std::to_string(age / 1000) + " s"});
}

} // namespace sb::actors
