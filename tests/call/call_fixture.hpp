#pragma once
// The end-to-end fixture for issue 3 ("The call"): the real server
// (app::server) on a temporary SQLite database with one tenant, the
// simulated OpenAI Realtime peer over TLS with a CA made on the spot, a push
// endpoint standing in for the business, and simulated callers who speak
// real speech at real time. Everything on 127.0.0.1, ephemeral ports, and
// every wait bounded. After a call, the test reads what the server stored
// by opening the same SQLite file (WAL allows a second reader).

#include "app/server.hpp"
#include "config/config.hpp"
#include "sim/caller.hpp"
#include "sim/realtime_peer.hpp"
#include "storage/records.hpp"
#include "tests/support/eventually.hpp"

#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace sb::net {
class io_runtime;
class http_server;
} // namespace sb::net

namespace sb::test {

using namespace std::chrono_literals;

struct e2e_options {
  std::vector<sim::call_script> scripts; ///< what the peer plays (by caller number)
  int drop_after_responses = -1;         ///< peer fault injection
  bool drop_with_reset = false;          ///< ... by TCP reset (sim::peer_options)
  bool refuse_connections = false;       ///< peer answers every upgrade with 503
  bool send_garbage_after_session = false;
  int garbage_frames = 1;            ///< not-JSON frames in that garbage (sim::peer_options)
  bool trust_peer = true;            ///< false: the server trusts another CA than the peer's
  bool push_endpoint_up = true;      ///< false: push_url names a port nobody listens on
  std::function<void(config&)> tune; ///< adjust the server's config before start
  std::function<void(storage::tenant&)> tenant;  ///< adjust the business before it is stored
  std::optional<proto::token_usage> fixed_usage; ///< every response.done reports this usage
  /// Start the REST API stand-in (sim/twilio_rest.hpp): the server's
  /// twilio.rest_base_url points at it and every caller registers with it.
  bool rest_standin = false;
  /// The auth token the stand-in expects ("" : the server's); another one
  /// makes it refuse the server's requests (401, 20003).
  std::string rest_auth_token;
  /// false: no server in this process; the test runs one (a child process,
  /// from server_config()) and names it with set_server_url().
  bool start_server = true;
  /// How the peer answers the post-call analysis (sim/peer_analysis.cpp).
  sim::peer_options::analysis_reply analysis = sim::peer_options::analysis_reply::answer;
  /// Adjust the peer's options last (pacing, session.updated delay, hooks).
  std::function<void(sim::peer_options&)> tune_peer;
  /// Where the store lives ([storage] path): "" a SQLite file in the test's
  /// temp dir; a postgresql:// URL (tests/support/pg_server.hpp).
  std::string database;
};

/// The business every test calls.
inline const std::string tenant_number = "+15551230000";
inline const std::string tenant_greeting = "Thanks for calling Bright Plumbing. This is the "
                                           "virtual receptionist. How can I help you today?";

class e2e_env {
public:
  explicit e2e_env(e2e_options options);
  ~e2e_env();
  e2e_env(const e2e_env&) = delete;
  e2e_env& operator=(const e2e_env&) = delete;

  // -- callers --
  /// Options for a caller that plays `script` against this server.
  sim::caller_options caller_for(const sim::call_script& script) const;
  /// Runs one call to its end (bounded by `bound`; a timeout fails the test).
  sim::caller_result call(sim::caller_options options, std::chrono::seconds bound = 90s);
  sim::caller_result call(const sim::call_script& script) { return call(caller_for(script)); }
  /// Starts one call on the fixture's io threads; the future holds its end.
  /// For a test that does something else meanwhile: Boost.Test's checks
  /// (call()'s bound among them) belong on the test's own thread, as
  /// Boost.Test is not thread-safe (TSan reported a check made on a
  /// std::async thread racing the main thread's, docs/stack.md 7).
  std::future<sim::caller_result> start_call(sim::caller_options options);
  /// Runs one caller per script concurrently, starting them `stagger` apart.
  std::vector<sim::caller_result> call_all(const std::vector<sim::call_script>& scripts,
                                           std::chrono::milliseconds stagger,
                                           std::chrono::seconds bound);
  /// The same with each caller's own options (caller_for(script), adjusted).
  std::vector<sim::caller_result> call_all(std::vector<sim::caller_options> callers,
                                           std::chrono::milliseconds stagger,
                                           std::chrono::seconds bound);
  /// Polls server().active_calls() until 0 (every call finalized); false on timeout.
  bool wait_for_no_calls(std::chrono::milliseconds bound = 20'000ms);

  // -- what the server stored (a fresh read of the SQLite file each time) --
  std::optional<storage::call_record> call_record(const std::string& call_sid) const;
  std::optional<storage::job> job(const std::string& call_sid) const;
  std::vector<storage::transcript_turn> turns(const std::string& call_sid) const;
  std::vector<storage::outbox_entry> outbox() const;
  std::vector<storage::call_record> calls() const;

  // -- the push endpoint --
  uint16_t push_port() const { return push_port_; }
  /// Starts the endpoint on push_port() (when it was down).
  void start_push_endpoint();
  std::vector<std::string> pushes() const; ///< request bodies received, in order
  bool wait_for_pushes(std::size_t n, std::chrono::milliseconds bound);

  // -- the parts --
  app::server& server() { return *server_; }
  /// Graceful stop of the server (the database stays).
  void stop_server();
  /// A new server on the same database (after stop_server()).
  void start_server();
  sim::realtime_peer& peer() { return *peer_; }
  /// The REST stand-in (null unless e2e_options::rest_standin).
  const std::shared_ptr<sim::twilio_rest>& rest() const { return rest_; }
  /// The server's configuration (secrets included), for a server run elsewhere.
  const config& server_config() const { return cfg_; }
  /// Where callers reach a server not run by this fixture (start_server false).
  void set_server_url(std::string url) { external_url_ = std::move(url); }
  boost::asio::io_context& io(); ///< the simulators' event loop
  const sim::clip_library& clips() const { return clips_; }
  const std::string& db_path() const { return db_path_; }
  const std::string& auth_token() const { return auth_token_; }
  std::string server_url() const;

private:
  e2e_options options_;
  std::string dir_, db_path_, auth_token_;
  sim::clip_library clips_;
  std::unique_ptr<net::io_runtime> io_;
  std::shared_ptr<sim::realtime_peer> peer_;
  std::shared_ptr<sim::twilio_rest> rest_;
  std::string ca_file_;
  uint16_t push_port_ = 0;
  std::shared_ptr<net::http_server> push_server_;
  mutable std::mutex push_mu_;
  std::vector<std::string> pushes_;
  config cfg_;
  std::unique_ptr<app::server> server_;
  std::string external_url_;
};

// -- scripts ------------------------------------------------------------------

/// One scripted turn.
sim::script_turn make_turn(std::string caller_text, std::string caller_clip,
                           std::vector<sim::scripted_function_call> calls, std::string reply_text,
                           std::string reply_clip);

/// record_booking_details with every field of a complete job card.
sim::scripted_function_call full_booking(const std::string& customer, const std::string& address,
                                         const std::string& phone);

/// A short call: the greeting (`greeting_clip`), one caller utterance
/// ("kitchen sink leaking") after which the model records a complete booking
/// for `customer` at `address`, then "You're welcome. Goodbye!" and the
/// assistant hangs up. About 9 s of real time with the short greeting clip.
sim::call_script short_booking_script(const std::string& caller_number,
                                      const std::string& customer = "Sam Short",
                                      const std::string& address = "1 Short Lane",
                                      const std::string& greeting_clip = "one_moment");

/// The merged arguments of every record_booking_details call in `script`
/// (later calls overwrite earlier fields), field name -> value.
std::vector<std::pair<std::string, std::string>> expected_booking(const sim::call_script& script);

/// The job card field named `name` ("customer_name", ...).
std::string booking_field(const storage::booking& b, const std::string& name);

// -- the OpenAI schema ----------------------------------------------------------

/// "" when every frame validates as a GA client event against OpenAI's
/// published schema; else the first failure with the event text (truncated).
std::string first_invalid_client_event(const std::vector<std::string>& frames);

/// The "type" of a JSON event ("" when it has none or is not JSON).
std::string event_type(const std::string& frame);

/// Counts client events of `type` in `frames`.
int count_events(const std::vector<std::string>& frames, const std::string& type);

} // namespace sb::test
