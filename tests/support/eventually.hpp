#pragma once
// Bounded polling, the one way tests wait for a state another thread sets
// (the registry dropping a call, a row reaching the database, a socket seen
// closed). Every wait is bounded, so a test that waits for something that
// never happens fails instead of hanging.

#include <chrono>
#include <thread>

namespace sb::test {

/// Polls `done` every `every` until it returns true (then true) or `bound`
/// has passed (then false). `done` is asked once more at the deadline, so a
/// state reached during the last sleep still counts.
template <class Pred>
bool eventually(Pred done, std::chrono::milliseconds bound = std::chrono::seconds{5},
                std::chrono::milliseconds every = std::chrono::milliseconds{10}) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done())
      return true;
    std::this_thread::sleep_for(every);
  }
  return done();
}

} // namespace sb::test
