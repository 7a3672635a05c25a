#pragma once
// Calls the webhook route answered itself (a known tenant, actors/
// webhook_answer.hpp) go to the registry, which spawns them. With one io
// thread they are gathered for `gather_delay` and go together: one wake-up of
// the registry's worker per gathering instead of one per request, and that
// wake-up (and the spawning it starts) comes after a burst of webhooks, not
// between a request and the next one's answer (the webhook's tail latency,
// bench/RESULTS.md).
//
// Ordering: a Media Stream's `start` may name a call that is still gathered
// here, so the stream route calls flush() before it hands the stream to the
// registry (app/routes.cpp). Both run on the one io thread, and CAF keeps the
// order of two sends from one thread to one actor.

#include "actors/services.hpp"
#include "storage/records.hpp"

#include <chrono>
#include <memory>
#include <mutex>
#include <vector>

namespace sb::app {

class call_handoff : public std::enable_shared_from_this<call_handoff> {
public:
  /// At most this long between the answer and the registry having the call.
  static constexpr std::chrono::milliseconds gather_delay{2};

  explicit call_handoff(const actors::services& svc);

  /// The route answered `call`; the registry gets it within gather_delay.
  /// Only with one io thread (the ordering above needs it).
  void push(storage::call_record call);

  /// Sends every gathered call to the registry now.
  void flush();

private:
  actors::services svc_;
  std::mutex mutex_;
  std::vector<storage::call_record> pending_;
  bool armed_ = false; ///< a gathering timer is running
};

} // namespace sb::app
