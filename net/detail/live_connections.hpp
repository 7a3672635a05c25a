#pragma once
// Every open connection of one io_context, on both sides (HTTP sessions and
// WebSockets the server accepted, WebSockets it opened), so that a server
// that stops can end them while its io loop still runs (net/connections.hpp).
// Internal to net/.
//
// Why: a WebSocket's handlers usually hold the connection (and through the
// route handlers, actor handles); ws_session::finish drops them to break
// that cycle. A session still closing when the io loop stops never
// finishes, so the cycle, and the actor handles in it, outlive the loop,
// and ~actor_system waits forever for the detached storage actor (issue
// 15.4's shutdown hang).

#include <boost/asio/execution/context.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/query.hpp>

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

namespace sb::net::detail {

/// A connection that can be told to end; both calls are thread-safe.
class endable {
public:
  virtual ~endable() = default;
  /// Ends it politely: a WebSocket sends its close frame after what is
  /// queued; an idle HTTP connection closes, a busy one after its response.
  virtual void end_gracefully() = 0;
  /// Ends it now: the socket is closed (RST) and its handlers dropped.
  virtual void end_now() = 0;
  /// True once the connection is over (nothing of it runs any more).
  bool ended() const { return ended_.load(); }

protected:
  void mark_ended() { ended_ = true; }

private:
  std::atomic<bool> ended_{false};
};

class live_connections final : public boost::asio::execution_context::service {
public:
  static boost::asio::execution_context::id id;
  explicit live_connections(boost::asio::execution_context& ctx) : service(ctx) {}

  void add(std::weak_ptr<endable> c);
  /// The connections not yet over.
  std::vector<std::shared_ptr<endable>> open();

private:
  void shutdown() override {}

  std::mutex mutex_;
  std::vector<std::weak_ptr<endable>> list_;
  std::size_t prune_at_ = 64; ///< list_ is swept of ended ones when it reaches this
};

/// The registry of the context that `ex` runs on.
template <class Executor> live_connections& connections_of(const Executor& ex) {
  return boost::asio::use_service<live_connections>(
      boost::asio::query(ex, boost::asio::execution::context));
}

} // namespace sb::net::detail
