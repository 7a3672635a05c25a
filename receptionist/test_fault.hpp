#pragma once
// Tests only: the __test_crash tool, offered to the model only when the
// server started with SWITCHBOARD_TEST_FAULTS=1 (config debug.test_faults;
// never a config.toml key). A scripted function call of the simulated
// Realtime peer (sim/script.hpp `calls`) names it for one caller, so that a
// test crashes one call's actor while the other calls go on. It is not in
// the tool table (tools.hpp): without the flag it is an unknown tool like
// any other. Its arguments: {"target":"tool_call"} (the tool actor dies
// with the call pending) or {"target":"supervisor"} (the call's supervisor
// dies mid-call).

#include "protocol/realtime.hpp"

#include <optional>
#include <string_view>

namespace sb::receptionist {

inline constexpr std::string_view test_crash_tool = "__test_crash";

enum class crash_target { tool_call, supervisor };

/// The tool as the session.update's tools lists it.
proto::tool_spec test_crash_spec();

/// Which actor a __test_crash call crashes; nullopt for another tool, or
/// arguments naming no known target.
std::optional<crash_target> crash_target_of(std::string_view name, std::string_view arguments);

} // namespace sb::receptionist
