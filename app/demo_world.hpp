#pragma once
// What every demo run sets up (app/demo.cpp, app/demo_crash.cpp): the
// stand-ins of the outside world on their own io thread (the simulated
// Realtime peer over TLS, the Twilio REST stand-in, the business's push
// endpoint), the demo business in a new database, the server's config, and
// the simulated callers placed at their times.

#include "app/demo_scenarios.hpp"
#include "common/result.hpp"
#include "net/io.hpp"

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace sb::net {
class http_server;
}

namespace sb::app::demo {

/// Tomorrow's date, YYYY-MM-DD in local time (the scripts ask for it).
std::string tomorrow_date();

/// Prints lines stamped with the time since the demo began; from any thread.
class stamped_out {
public:
  void operator()(const std::string& line);

private:
  std::chrono::steady_clock::time_point t0_ = std::chrono::steady_clock::now();
  std::mutex mtx_;
};

/// The business's push endpoint: keeps the body of every push it gets.
class push_endpoint {
public:
  status start(boost::asio::io_context& io);
  uint16_t port() const;
  /// The bodies received once `n` came, or when `bound` passed.
  std::vector<std::string> wait_for(std::size_t n, std::chrono::milliseconds bound);

private:
  std::shared_ptr<net::http_server> server_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> bodies_;
};

/// The stand-ins of the outside world, on their own io thread.
struct world {
  net::io_runtime io{1};
  std::shared_ptr<sim::realtime_peer> peer;
  std::shared_ptr<sim::twilio_rest> rest;
  push_endpoint push;
  sim::clip_library clips;

  ~world();
};

/// Starts the stand-ins (the demo CA in `dir`/demo-ca.pem); "" on success,
/// else what failed.
std::string start_world(world& w, const std::filesystem::path& dir, const scenario& sc,
                        const std::vector<placed_call>& calls, const std::string& auth_token);

/// Bright Plumbing in a new database at `db_path`, pushing to `push_port`.
status add_demo_tenant(const std::string& db_path, uint16_t push_port, const scenario& sc);

/// The server's config for the demo: the stand-ins' addresses, `db_path`.
config demo_config(const std::string& realtime_url, const std::string& ca_file,
                   const std::string& db_path, const sim::twilio_rest& rest, const scenario& sc);

/// Places every call at its time (this thread sleeps until the last one
/// rings) against the server at `server_port`; a future per call. `each`
/// (if set) adjusts call i's options last.
std::vector<std::future<sim::caller_result>>
launch_calls(world& w, const config& cfg, uint16_t server_port,
             const std::vector<placed_call>& calls, stamped_out& say,
             const std::function<void(std::size_t, sim::caller_options&)>& each = {});

} // namespace sb::app::demo
