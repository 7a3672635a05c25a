#pragma once
// Ending every connection of an io_context before its loop stops (a server's
// shutdown): see net/detail/live_connections.hpp for why it matters.

#include <chrono>
#include <cstddef>

namespace boost::asio {
class io_context;
}

namespace sb::net {

/// Ends every connection open on `io` (HTTP and WebSocket, accepted or
/// opened): each is asked to end gracefully and all get `grace` together;
/// whatever is still open then is cut. The loop must be running on its own
/// threads: never call this from one of them. Returns how many connections
/// were still not over at the end (0 unless the loop is stuck).
std::size_t end_connections(boost::asio::io_context& io, std::chrono::milliseconds grace);

/// Connections open on `io` now (tests).
std::size_t open_connection_count(boost::asio::io_context& io);

} // namespace sb::net
