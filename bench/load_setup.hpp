#pragma once
// The load run's set-up (bench/load_harness.cpp): its plan of steps, its
// result before anything ran, its TLS material, and the server started as
// its own process.

#include "bench/bench_setup.hpp"
#include "bench/load_harness.hpp"
#include "bench/server_process.hpp"
#include "net/test_ca.hpp"
#include "sim/realtime_peer.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace sb::bench::load {

namespace fs = std::filesystem;

inline const std::string business_number = "+15551230000";
inline const std::string public_url = "https://switchboard.bench.invalid";

/// The run's shape: the live calls of each step (one step in fixed mode),
/// the measurement window, and how long a call may last.
struct run_plan {
  std::vector<int> targets;
  int max_calls = 0;
  int window_s = 0;
  int total_s = 0;
  int turns = 0;
};

run_plan plan_run(const harness_options& o);

/// A run's result before anything ran: the options, the machine, and the
/// start's error if it failed (bench_run_start).
run_result new_run_result(const harness_options& o, const run_start& start);

/// One generated CA signs the peer's certificate (--tls) and the server's
/// (--twilio-tls); the files the server reads are in the work dir.
struct tls_material {
  std::optional<net::pem_pair> ca;
  std::string ca_file;                           ///< the CA, for the server's OpenAI leg (--tls)
  std::string server_cert_file, server_key_file; ///< --twilio-tls
};

/// Makes the run's TLS material and gives the peer its certificate (--tls).
tls_material make_tls_material(const harness_options& o, const fs::path& dir,
                               sim::peer_options& po);

/// `switchboard serve` as its own process on `port`, with the bench tenant
/// added, its config, database and log in `dir`; a non-empty
/// `console_token` enables its console, so that /metrics answers that
/// bearer (server_metrics.hpp).
result<server_process> start_server(const harness_options& o, const fs::path& dir,
                                    const tls_material& tls, const std::string& realtime_url,
                                    uint16_t port, const std::string& token,
                                    const std::string& console_token);

} // namespace sb::bench::load
