#pragma once
// What a benchmark run is made of: the callers' scripts, the server's
// config.toml, facts about the machine for the report, and the start every
// run shares (bench_run_start).

#include "sim/clips.hpp"
#include "sim/script.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::bench {

/// A unique caller number per call ("+1555" + 7 digits): the peer picks the
/// script by it, the harness maps the peer's connection to the call by it.
std::string caller_number(int index);

/// A looping conversation of `turns` turns over the four caller/reply clips.
/// With `function_calls`, every first turn of four makes a function call;
/// with `barge_in`, every third turn starts 1.2 s into the previous reply.
/// The caller hangs up (the assistant never does).
sim::call_script bench_script(int index, int turns, bool function_calls, bool barge_in);

/// When each of `count` calls starts, counted from the first start: one
/// every 1/`rate` s, each put off by a random 0-20 ms, in order. The random
/// part gives the calls' 20 ms media clocks independent phases, as real
/// calls have (and as bench/floor's generator spreads its calls): started
/// exactly 1/rate apart, at 100 a second every call's frames fell into two
/// windows a few ms wide, and the server then had ~50 frames to relay at
/// once every 10 ms (bench/RESULTS.md, "the calls' phases"). Seeded: every
/// run gets the same offsets.
std::vector<std::chrono::microseconds> call_start_offsets(int count, int rate);

/// The server's config.toml for a run (secrets and ports come from the env);
/// `io_threads` is the server's [server] io_threads; with `tls_cert_file`
/// and `tls_key_file` the server serves https:// and wss://.
std::string server_config_toml(const std::string& openai_ca_file, int io_threads,
                               const std::string& tls_cert_file = {},
                               const std::string& tls_key_file = {});

struct machine_info {
  int cpus = 0;
  std::string cpu_model;
  int64_t mem_total_kib = 0;
  std::string date_utc; ///< "2025-01-31T12:00:00Z"
};
machine_info read_machine_info();

/// What every benchmark run (load, soak, cluster) starts with, in this
/// order: the machine described, the fd limit raised (inherited by the
/// servers the run starts), the speech clips, and a fresh work dir.
struct run_start {
  machine_info machine;
  int64_t fd_limit = 0;                   ///< raise_fd_limit()'s
  std::optional<sim::clip_library> clips; ///< set unless `error` is
  std::filesystem::path dir;              ///< /tmp/<prefix>-XXXXXX; the caller removes it
  /// The run cannot go on: "speech clips: ..." or "cannot make a work dir".
  /// `machine` and `fd_limit` are set regardless.
  std::string error;
};
run_start bench_run_start(std::string_view dir_prefix);

/// Writes `text` to `path` (its folder made if missing); true when written
/// or when `path` is empty (nothing asked for).
bool write_text_file(const std::string& path, const std::string& text);

} // namespace sb::bench
