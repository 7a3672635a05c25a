#pragma once
// A deliberately small Twilio <-> Realtime bridge for testing the two
// simulators against each other over real sockets (the real bridge lives in
// actors/). It does what the simulators expect of a bridge: signed webhook
// and upgrade, session.update with the caller number in the instructions, a
// greeting, audio both ways with a mark after each chunk, barge-in by clear +
// truncate (heard audio from the marks), function results + response.create,
// and hanging up after end_call once the goodbye has played.

#include <cstdint>
#include <memory>
#include <string>

namespace boost::asio {
class io_context;
}

namespace sb::test {

struct mini_bridge_options {
  std::string peer_url;   ///< ws://127.0.0.1:PORT/v1/realtime?model=gpt-realtime
  std::string auth_token; ///< Twilio auth token (signatures)
  std::string public_host = "switchboard.example"; ///< signed URLs use https:// / wss:// on it
};

class mini_bridge {
public:
  static std::shared_ptr<mini_bridge> start(boost::asio::io_context& io, mini_bridge_options o);
  virtual ~mini_bridge() = default;
  virtual std::string server_url() const = 0; ///< http://127.0.0.1:PORT
  virtual std::string public_url() const = 0; ///< https://public_host
  virtual int bad_signatures() const = 0;
  virtual int truncates_sent() const = 0;
};

} // namespace sb::test
