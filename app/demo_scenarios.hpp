#pragma once
// The demo's scenarios (`switchboard demo --scenario NAME`, `--list`): each
// is one situation a caller can be in, set up on loopback with the
// stand-ins, and what should come of it. The runner (app/demo.cpp) starts
// the same world for every scenario (the real server, the simulated Realtime
// peer, the Twilio REST stand-in, the business's push endpoint), lets the
// scenario adjust it, places its calls, and hands back what happened for
// the scenario to judge. A scenario is data: adding one touches this file's
// .cpp only.

#include "config/config.hpp"
#include "sim/caller.hpp"
#include "sim/realtime_peer.hpp"
#include "sim/twilio_rest.hpp"
#include "storage/records.hpp"

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::app::demo {

/// The business every demo call rings, and the demo's caller.
inline const std::string business_number = "+15551230000";
inline const std::string caller_number = "+15557654321";

/// One call the scenario places.
struct placed_call {
  sim::call_script script;
  int start_after_ms = 0; ///< after the scenario began (a second caller rings later)
  std::function<void(sim::caller_options&)> adjust; ///< e.g. expect the stream to be cut
};

/// What happened, for the scenario to judge and the runner to print.
struct outcome {
  std::vector<sim::caller_result> results;  ///< per placed call, in order
  std::optional<storage::call_record> call; ///< the last placed call's, as stored
  std::optional<storage::job> job;          ///< its job card, as stored
  std::vector<storage::transcript_turn> turns;
  std::vector<sim::rest_log_entry> rest;  ///< requests the REST stand-in received
  std::vector<std::string> pushes;        ///< push bodies the business received
  std::vector<std::string> openai_events; ///< client events the simulated OpenAI received
};

struct scenario {
  std::string name;
  std::string summary; ///< one line for --list
  std::function<std::vector<placed_call>(const std::string& tomorrow)> calls;
  std::function<void(config&)> tune;                ///< the server's config
  std::function<void(storage::tenant&)> tenant;     ///< the business, before it is stored
  std::function<void(sim::peer_options&)> peer;     ///< the simulated OpenAI
  std::size_t pushes = 1;                           ///< notifications the business should get
  std::function<std::string(const outcome&)> check; ///< "" when it went as expected, else why not
  /// A scenario that runs itself instead (crash: the server as a child
  /// process, app/demo_crash.hpp): given itself, the temporary folder and
  /// the number of calls to place (`--calls`, else default_calls), it
  /// prints and judges its calls and returns the exit code.
  std::function<int(const scenario&, const std::string& dir, std::size_t calls)> run;
  /// The calls it places unless `--calls N` asks for more; 0: it places its
  /// own set (`--calls` is refused).
  std::size_t default_calls = 0;
};

/// The crash scenario's callers (app/demo_crash.cpp reads them): who each
/// is, and whether it follows the <Redirect> back after the kill.
struct crash_caller {
  std::string customer; ///< the name given before the kill
  bool comes_back = true;
};

/// The crash scenario's callers, in the order its calls are placed.
const std::vector<crash_caller>& crash_callers();

/// The caller number of the crash scenario's call i (0-based): all of one
/// length, so that none is a prefix of another (the simulated peer finds a
/// caller's script by its number in the session instructions).
std::string crash_caller_number(std::size_t i);

/// The crash scenario's call i: `who` books a plumber for tomorrow at ten,
/// ringing `start_after_ms` after the scenario began, and follows the
/// <Redirect> back after a lost stream if `who.comes_back`.
placed_call crash_call(std::size_t i, const crash_caller& who, const std::string& tomorrow,
                       int start_after_ms);

/// Every scenario, `booking` first (the default).
const std::vector<scenario>& scenarios();

/// The scenario named `name`, or nullptr.
const scenario* find_scenario(std::string_view name);

} // namespace sb::app::demo
