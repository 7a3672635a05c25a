#include "storage/pg_listener.hpp"

#include "storage/pg_db.hpp"

#include <libpq-fe.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <string_view>

namespace sb::storage {

namespace {

using clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

struct conn_closer {
  void operator()(PGconn* c) const { PQfinish(c); }
};
using conn_ptr = std::unique_ptr<PGconn, conn_closer>;

/// libpq's last message, on one line, the password (if any) hidden: libpq
/// names the host and user, and quotes a URL token it cannot parse.
std::string last_error(PGconn* c, const std::string& password) {
  std::string msg = c != nullptr ? PQerrorMessage(c) : "out of memory";
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' '))
    msg.pop_back();
  // One line: libpq's messages continue on lines that start with a tab.
  std::string line;
  for (char ch : msg) {
    bool space = ch == '\n' || ch == '\t' || ch == ' ';
    if (!space || (!line.empty() && line.back() != ' '))
      line += space ? ' ' : ch;
  }
  msg = std::move(line);
  msg = detail::hide_password(std::move(msg), password);
  return msg.empty() ? "connection lost" : msg;
}

void drop_notice(void*, const char*) {}

constexpr const char* application_name = "switchboard listener";

enum class wait_result { ready, timeout, woken };

/// Waits until `fd` has `events` (or an error, or a hang-up), the wake
/// descriptor is written, or `deadline` passes.
wait_result wait_for(int fd, short events, int wake_fd, clock::time_point deadline) {
  for (;;) {
    auto left = std::chrono::ceil<milliseconds>(deadline - clock::now());
    pollfd fds[2] = {{fd, events, 0}, {wake_fd, POLLIN, 0}};
    int n = ::poll(fds, 2, static_cast<int>(std::max<int64_t>(0, left.count())));
    if (n < 0 && errno == EINTR)
      continue;
    if (fds[1].revents != 0)
      return wait_result::woken;
    if (n <= 0) // poll itself failing leaves nothing to wait for: as a timeout
      return wait_result::timeout;
    return wait_result::ready;
  }
}

} // namespace

pg_listener::pg_listener(pg_listener_options options, pg_listener_events events)
    : options_(std::move(options)), events_(std::move(events)),
      password_(detail::password_of(options_.url)),
      wake_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  thread_ = std::thread([this] { run(); });
}

pg_listener::~pg_listener() {
  stop_ = true;
  uint64_t one = 1;
  if (wake_fd_ >= 0)
    (void)!::write(wake_fd_, &one, sizeof one); // stays readable: every later wait ends at once
  if (thread_.joinable())
    thread_.join();
  if (wake_fd_ >= 0)
    ::close(wake_fd_);
}

void pg_listener::run() {
  auto backoff = options_.initial_backoff;
  while (!stop_) {
    bool listened = listen_once();
    if (stop_)
      break;
    if (listened)
      backoff = options_.initial_backoff;
    if (!sleep_for(backoff))
      break;
    if (!listened)
      backoff = std::min(backoff * 2, options_.max_backoff);
  }
  listening_ = false;
}

bool pg_listener::sleep_for(milliseconds d) {
  pollfd fd{wake_fd_, POLLIN, 0};
  auto deadline = clock::now() + d;
  for (;;) {
    auto left = std::chrono::ceil<milliseconds>(deadline - clock::now());
    if (left.count() <= 0)
      return !stop_;
    int n = ::poll(&fd, 1, static_cast<int>(left.count()));
    if (n > 0 || stop_)
      return false;
  }
}

bool pg_listener::listen_once() {
  // Told once per outage: a server that stays down is not reported every
  // retry. The result: whether this connection had been listening.
  // The event before the flag, as on connect: whoever sees listening()
  // turn false also sees what `lost` did (e.g. the tenant cache back on
  // its short TTL).
  auto fail = [this](const std::string& why) {
    if (!reported_ && events_.lost)
      events_.lost(why);
    reported_ = true;
    return listening_.exchange(false);
  };
  // Connecting without blocking (libpq docs, 34.1: PQconnectStart and
  // PQconnectPoll), so that stop is never held up by a server that does
  // not answer; libpq's connect_timeout does not apply to this path.
  // Named in pg_stat_activity, unless the URL names it (it comes later,
  // and the later keyword wins: 34.1, PQconnectdbParams).
  auto deadline = clock::now() + options_.connect_timeout;
  const char* keys[] = {"application_name", "dbname", nullptr};
  const char* values[] = {application_name, options_.url.c_str(), nullptr};
  conn_ptr conn(PQconnectStartParams(keys, values, 1));
  PGconn* c = conn.get();
  if (c == nullptr || PQstatus(c) == CONNECTION_BAD)
    return fail(last_error(c, password_));
  auto polling = PGRES_POLLING_WRITING; // "behave as if it last returned PGRES_POLLING_WRITING"
  while (polling != PGRES_POLLING_OK) {
    if (polling == PGRES_POLLING_FAILED)
      return fail(last_error(c, password_));
    auto w = wait_for(PQsocket(c), polling == PGRES_POLLING_READING ? POLLIN : POLLOUT, wake_fd_,
                      deadline);
    if (w == wait_result::woken)
      return false;
    if (w == wait_result::timeout)
      return fail("no connection within " + std::to_string(options_.connect_timeout.count()) +
                  " ms");
    polling = PQconnectPoll(c);
  }
  PQsetNoticeProcessor(c, drop_notice, nullptr);

  // LISTEN, then wait for its answer as for any other.
  char* ident = PQescapeIdentifier(c, options_.channel.data(), options_.channel.size());
  if (ident == nullptr)
    return fail(last_error(c, password_));
  std::string asked = std::string("LISTEN ") + ident; // the query in flight
  PQfreemem(ident);
  if (PQsendQuery(c, asked.c_str()) == 0)
    return fail(last_error(c, password_));
  bool waiting = true; // for the answer to LISTEN, later to a ping
  bool listening = false;
  auto asked_at = clock::now();
  auto heard_at = clock::now();
  for (;;) {
    auto until = waiting ? asked_at + options_.ping_timeout : heard_at + options_.ping_interval;
    auto w = wait_for(PQsocket(c), POLLIN, wake_fd_, until);
    if (w == wait_result::woken)
      return listening;
    if (w == wait_result::timeout) {
      if (waiting)
        return fail("no answer from PostgreSQL in " +
                    std::to_string(options_.ping_timeout.count()) + " ms");
      // Quiet for a while: is the server still there?
      asked = "SELECT 1";
      if (PQsendQuery(c, asked.c_str()) == 0)
        return fail(last_error(c, password_));
      waiting = true;
      asked_at = clock::now();
      continue;
    }
    if (PQconsumeInput(c) == 0 || PQstatus(c) != CONNECTION_OK)
      return fail(last_error(c, password_));
    heard_at = clock::now();
    while (waiting && PQisBusy(c) == 0) {
      PGresult* r = PQgetResult(c);
      if (r == nullptr) { // the query is done
        waiting = false;
        break;
      }
      auto st = PQresultStatus(r);
      std::string msg = PQresultErrorMessage(r);
      PQclear(r);
      if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        return fail(asked + ": " + msg);
    }
    if (!waiting && !listening) {
      // The LISTEN is in place: anything changed from here on is heard.
      listening = true;
      reported_ = false;
      if (events_.listening)
        events_.listening();
      ++connections_;
      listening_ = true; // after the event: who sees it true sees what the event did
    }
    while (PGnotify* n = PQnotifies(c)) {
      std::string payload = n->extra != nullptr ? n->extra : "";
      PQfreemem(n);
      if (listening && events_.notified)
        events_.notified(payload);
    }
  }
}

} // namespace sb::storage
