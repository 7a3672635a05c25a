#pragma once
// The project's call_error as a caf::error (errors are values, docs/STYLE.md 5).
// Part of actors/messages.hpp (include that one); docs/STYLE.md 3.

#include "common/call_types.hpp"

#include <caf/atom.hpp>
#include <caf/error.hpp>

#include <string>

namespace sb::actors {

// -- errors -----------------------------------------------------------------------------------

/// The category under which call_error is registered with CAF (app/server.cpp).
inline constexpr caf::atom_value call_error_category = caf::atom("call");

/// A call_error as a caf::error, with a detail text.
caf::error make_error(call_error code, std::string detail);

/// The detail text of an error made by make_error (empty for others).
std::string error_detail(const caf::error& e);

/// One line for logs and the console: "twilio_socket_lost: closed without
/// stop" for a call_error, CAF's rendering for others.
std::string describe(const caf::error& e);

} // namespace sb::actors
