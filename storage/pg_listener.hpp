#pragma once
// A PostgreSQL LISTEN on one channel, on a connection and thread of its
// own (never the storage actor's: its requests do not wait behind it, and
// it does not wait behind them). The thread sleeps in poll() on the
// connection's socket and a wake-up descriptor; each notification that
// arrives is handed to `notified` (libpq docs, 34.9 Asynchronous
// Notification: PQconsumeInput, then PQnotifies).
//
// A lost connection (a restart, a failover, a proxy cutting it, or a ping
// left unanswered for ping_timeout) is reported to `lost`; then the
// listener connects again, after a backoff doubling from initial_backoff
// to max_backoff, and reports `listening` once its LISTEN is in place
// again. Notifications sent while nobody listened are gone: `listening`
// means "forget what you knew".
//
// The URL may hold a password: it is never part of a message. The
// connection's application_name is "switchboard listener" unless the URL
// says otherwise.

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace sb::storage {

struct pg_listener_options {
  std::string url;     ///< postgresql://...
  std::string channel; ///< LISTEN's channel (an identifier; quoted here)
  std::chrono::milliseconds initial_backoff{100};
  std::chrono::milliseconds max_backoff{5'000};
  /// A connection quiet this long is asked `SELECT 1`; no answer within
  /// ping_timeout counts as lost (a peer gone without closing the socket).
  std::chrono::milliseconds ping_interval{10'000};
  std::chrono::milliseconds ping_timeout{5'000};
  /// A connection attempt not done by then is given up (and tried again).
  std::chrono::milliseconds connect_timeout{10'000};
};

/// What the listener says, on its own thread (keep it quick).
struct pg_listener_events {
  std::function<void()> listening;                          ///< LISTEN is in place (again)
  std::function<void(const std::string& payload)> notified; ///< a notification's payload
  std::function<void(const std::string& why)> lost;         ///< no longer listening
};

class pg_listener {
public:
  /// Starts the thread; it connects at once (and keeps trying).
  pg_listener(pg_listener_options options, pg_listener_events events);
  /// Wakes the thread and waits for it; the connection is closed.
  ~pg_listener();
  pg_listener(const pg_listener&) = delete;
  pg_listener& operator=(const pg_listener&) = delete;

  /// LISTEN is in place now.
  bool listening() const { return listening_.load(); }
  /// How many times LISTEN was put in place (1 after the first connect).
  int connections() const { return connections_.load(); }

private:
  struct session;
  void run();
  /// One connection, from connect to loss (or stop); whether it listened.
  bool listen_once();
  /// Sleeps `d` unless woken; false: woken (stop).
  bool sleep_for(std::chrono::milliseconds d);

  pg_listener_options options_;
  pg_listener_events events_;
  std::string password_; ///< hidden in every message
  int wake_fd_ = -1;     ///< an eventfd: written to stop the thread
  std::atomic<bool> stop_{false};
  std::atomic<bool> listening_{false};
  std::atomic<int> connections_{0};
  bool reported_ = false; ///< the thread's: `lost` was told since the last `listening`
  std::thread thread_;
};

} // namespace sb::storage
