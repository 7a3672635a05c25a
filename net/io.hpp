#pragma once
// The Asio event loop the process runs its sockets on, behind a plain header
// so that callers need not include Asio.

#include <functional>
#include <memory>
#include <thread>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace sb::net {

/// True when an io_runtime runs `io` on exactly one thread: its connections
/// then share that thread and need no strand (detail/executor.hpp).
bool single_threaded(boost::asio::io_context& io);

/// Owns an io_context and the threads that run it.
class io_runtime {
public:
  explicit io_runtime(int threads = 1);
  ~io_runtime(); ///< stops and joins
  io_runtime(const io_runtime&) = delete;
  io_runtime& operator=(const io_runtime&) = delete;

  boost::asio::io_context& context() { return *io_; }

  /// Runs `fn` on the io_context (thread-safe).
  void post(std::function<void()> fn);

  /// Stops the loop and joins the threads (idempotent).
  void stop();

private:
  std::unique_ptr<boost::asio::io_context> io_;
  std::shared_ptr<void> work_guard_;
  std::vector<std::thread> threads_;
};

} // namespace sb::net
