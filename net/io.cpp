#include "net/io.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

namespace sb::net {

namespace asio = boost::asio;

io_runtime::io_runtime(int threads) : io_(std::make_unique<asio::io_context>()) {
  work_guard_ = std::make_shared<asio::executor_work_guard<asio::io_context::executor_type>>(
      asio::make_work_guard(*io_));
  if (threads < 1)
    threads = 1;
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
