#pragma once
// The executor a connection's handlers run on. With several io threads each
// connection needs a strand; with one (the default, server.io_threads = 1)
// every handler already runs on that thread, so connections use the
// io_context's executor itself. Then a frame one connection's handler sends
// on another connection (the call's media_relay: Twilio -> OpenAI and back)
// is written at once by asio::dispatch, not posted behind every other ready
// handler; measured in bench/RESULTS.md (upstream relay latency).

#include "net/io.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

namespace sb::net::detail {

inline boost::asio::any_io_executor connection_executor(boost::asio::io_context& io) {
  if (single_threaded(io))
    return io.get_executor();
  return boost::asio::make_strand(io);
}

} // namespace sb::net::detail
