#pragma once
// What the kill demos share (app/demo_crash.cpp: one node, SIGKILLed and
// started again; app/demo_cluster.cpp: three nodes behind HAProxy, one
// SIGKILLed): the `switchboard serve` children with their config files and
// logs, and what each call came to, read back from the database, the push
// endpoint and its caller, judged and printed.

#include "app/demo_scenarios.hpp"
#include "bench/server_process.hpp"
#include "common/result.hpp"
#include "config/config.hpp"
#include "storage/records.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace sb::storage {
class store;
}

namespace sb::app::demo {

/// The `switchboard serve` children of a demo run: node k listens on its own
/// port and reads `dir`/config-(k+1).toml; each start logs to a new
/// `dir`/server-N.log. The binary is this one (/proc/self/exe), run as
/// systemd would run it, the secrets in its environment.
class node_set {
public:
  /// Writes a config file per id in `ids` from `cfg` (the stand-ins'
  /// addresses, the database, [resume], [limits]); `cluster`: each node's
  /// [cluster] node_url is its own address (the TwiML it answers names it).
  node_set(const std::filesystem::path& dir, const config& cfg, std::vector<std::string> ids,
           bool cluster);

  /// Starts node k (again), and waits until it listens (10 s).
  status start(std::size_t k);
  void kill(std::size_t k); ///< SIGKILL, no grace
  void stop_all();          ///< SIGTERM each, as systemd stops it

  std::size_t size() const { return ids_.size(); }
  const std::string& id(std::size_t k) const { return ids_[k]; }
  uint16_t port(std::size_t k) const { return ports_[k]; }
  pid_t pid(std::size_t k) const { return servers_[k].pid(); }
  const std::string& config_path(std::size_t k) const { return configs_[k]; }
  const std::string& log(std::size_t k) const { return logs_[k]; } ///< its latest start's
  const std::string& binary() const { return self_; }

private:
  std::filesystem::path dir_;
  std::vector<std::string> ids_;
  std::vector<config> cfgs_;
  std::vector<uint16_t> ports_;
  std::vector<std::string> configs_, logs_;
  std::vector<bench::server_process> servers_;
  std::string self_;
  int starts_ = 0;
};

/// What one call came to, read back from the database and its caller.
struct call_view {
  crash_caller who;
  sim::caller_result result;
  std::optional<storage::call_record> call;
  std::optional<storage::job> job;
  std::vector<storage::transcript_turn> turns;
  std::size_t rows = 0;   ///< call records with its CallSid
  std::size_t cards = 0;  ///< job cards with its CallSid
  std::size_t pushes = 0; ///< push bodies naming its CallSid (one job card per call)
  std::size_t turns_at_kill = 0;
  int64_t kill_to_voice_ms = -1; ///< SIGKILL -> assistant audio on the new stream
  std::string node;              ///< the node that held it at the kill (cluster)
  bool on_killed_node = true;    ///< live on the killed node at the kill
  /// Over its business's limit: the webhook answered without a <Connect>
  /// (busy), so it never became a call.
  bool refused = false;
  bool limited = false; ///< rang the business with a concurrency limit (cluster)
};

/// Fills each view's record, job card, turns and counts from the database
/// at `db_path` and the push bodies received.
void read_back(const std::string& db_path, const std::vector<std::string>& pushes,
               std::vector<call_view>& views);

/// "" when the call came out as it should, else what did not.
std::string judge(const call_view& v);

/// The call in a few lines: who, where, how it ended, its job card.
void print_view(std::size_t i, const call_view& v);

/// The call on one line (a run of many calls).
void print_view_line(std::size_t i, const call_view& v);

/// Prints "Scenario NAME: went as expected", or NOT and the failures; the
/// exit code (0: none).
int print_verdict(const scenario& sc, const std::vector<std::string>& failures);

/// A node's log lines about the calls it found open, took over or resumed.
void print_recovery(const std::string& log_path);

/// Every one of the (at most `limit`) call rows in `db` has an end reason.
bool all_finalized(storage::store& db, std::size_t limit);

/// The caller of `number` has given its name and had the reply to it: its
/// call row has five turns stored and the booking draft holds the name.
bool named(storage::store& db, const std::vector<storage::call_record>& rows,
           const std::string& number);

/// Waits (polling every 100 ms) until `done()`, at most `bound`.
template <class Pred> bool eventually(Pred done, std::chrono::milliseconds bound) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline)
      return false;
    std::this_thread::sleep_for(std::chrono::milliseconds{100});
  }
  return true;
}

} // namespace sb::app::demo
