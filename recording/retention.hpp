#pragma once
// Recording files: where they go, the retention sweep, and removing one
// (issue 17.3). The sweep runs at start (app/server.cpp, before the storage
// actor takes the store) and then daily (through the storage actor).

#include "common/result.hpp"
#include "config/config.hpp"
#include "storage/store.hpp"

#include <cstdint>
#include <string>

namespace sb::recording {

/// [recording] dir, or "recordings" next to the database file.
std::string recordings_dir(const config& cfg);
/// The file of `call_sid` under recordings_dir.
std::string recording_path(const config& cfg, const std::string& call_sid);

/// Removes `path` (a missing file is fine: already gone). Error {"file", ...}.
status remove_recording(const std::string& path);

/// Removes the recordings of calls started more than `retention_days` before
/// `now_ms` (0 days: keeps them all), file first, then the call's reference.
/// Returns how many were removed.
result<int> sweep(storage::store& db, int retention_days, int64_t now_ms);

} // namespace sb::recording
