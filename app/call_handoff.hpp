#pragma once
// Calls the webhook route answered itself (a known tenant, actors/
// webhook_answer.hpp) go to the registry, which spawns them. With one io
// thread, the calls answered in one burst of ready requests go together at
// the end of the burst: one wake-up of the registry's worker instead of one
// per request, and none between a request and the next one's answer (the
// webhook's tail latency, bench/RESULTS.md). Ordering holds: the hand-off is
// posted before any later completion (such as the stream this answer names)
// can be queued.

#include "actors/services.hpp"
#include "storage/records.hpp"

#include <memory>
#include <mutex>
#include <vector>

namespace sb::app {

class call_handoff : public std::enable_shared_from_this<call_handoff> {
public:
  explicit call_handoff(const actors::services& svc);

  /// The route answered `call`; the registry gets it at the end of this
  /// burst. Only with one io thread (the ordering above needs it).
  void push(storage::call_record call);

private:
  void flush();

  actors::services svc_;
  std::mutex mutex_;
  std::vector<storage::call_record> pending_;
  bool posted_ = false;
};

} // namespace sb::app
