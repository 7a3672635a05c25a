#include "net/io.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

namespace sb::net {

namespace asio = boost::asio;

namespace {

/// Present in an io_context that one io_runtime thread runs (a marker).
class single_thread_mark : public asio::execution_context::service {
public:
  static asio::execution_context::id id;
  explicit single_thread_mark(asio::execution_context& ctx) : service(ctx) {}

private:
  void shutdown() override {}
};

asio::execution_context::id single_thread_mark::id;

} // namespace

bool single_threaded(asio::io_context& io) {
  return asio::has_service<single_thread_mark>(io);
}

io_runtime::io_runtime(int threads) : io_(std::make_unique<asio::io_context>()) {
  work_guard_ = std::make_shared<asio::executor_work_guard<asio::io_context::executor_type>>(
      asio::make_work_guard(*io_));
  if (threads < 1)
    threads = 1;
  if (threads == 1)
    asio::make_service<single_thread_mark>(*io_);
  threads_.reserve(static_cast<std::size_t>(threads));
  for (int i = 0; i < threads; ++i)
    threads_.emplace_back([io = io_.get()] { io->run(); });
}

io_runtime::~io_runtime() {
  stop();
}

void io_runtime::post(std::function<void()> fn) {
  asio::post(*io_, std::move(fn));
}

void io_runtime::stop() {
  work_guard_.reset();
  io_->stop();
  for (auto& t : threads_) {
    if (!t.joinable())
      continue;
    // stop() called from an io thread (a handler shutting the process down)
    // cannot join itself; that thread returns from run() on its own.
    if (t.get_id() == std::this_thread::get_id())
      t.detach();
    else
      t.join();
  }
  threads_.clear();
}

} // namespace sb::net
