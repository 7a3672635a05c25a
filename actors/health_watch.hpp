#pragma once
// What the registry knows about the service's health, and its judgement:
// "degraded" with reasons when OpenAI handshakes keep failing, storage
// writes fail or wait in memory for the database (until every one is in),
// or the notification outbox backs up (config health_config).
// Plain state, fed by the registry from the reports it gets by message
// (openai_observation, storage_write_report, outbox_report); no actor, no I/O.

#include "actors/messages.hpp"
#include "config/config.hpp"

#include <cstdint>
#include <deque>

namespace sb::actors {

class health_watch {
public:
  health_watch() = default;
  explicit health_watch(health_config cfg) : cfg_(cfg) {}

  /// An OpenAI handshake finished at `now_ms`.
  void on_openai(bool connected, int64_t now_ms);
  /// Storage reported a failed write, the writes waiting, or the first good
  /// one after failures. A write kept for a retry is not counted in the
  /// window: it is not lost, and the writes waiting say degraded already.
  void on_storage(const storage_write_report& r, int64_t now_ms);
  /// The notifier's view of the outbox at its last poll.
  void on_outbox(const storage::outbox_backlog& b) { outbox_ = b; }

  /// The figures and, when degraded, why (active_sessions left to the caller).
  health_info judge(int64_t now_ms);

private:
  void judge_openai(health_info& h) const;
  void judge_storage(health_info& h, int64_t now_ms);
  void judge_outbox(health_info& h, int64_t now_ms) const;

  health_config cfg_;
  bool openai_connected_ = false;
  int64_t openai_observed_at_ms_ = 0;
  int openai_failures_in_a_row_ = 0;
  bool last_write_failed_ = false;
  std::string last_write_error_;
  int64_t writes_waiting_ = 0;            ///< kept in memory until the database takes them
  std::deque<int64_t> write_failures_ms_; ///< within the storage window
  storage::outbox_backlog outbox_;
};

} // namespace sb::actors
