#pragma once
// Internal to storage/: the state behind sb::storage::store, shared by the
// store_*.cpp files (one per table group).

#include "storage/db.hpp"
#include "storage/store.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::storage {

namespace detail {

/// A LIMIT that limits nothing, in both dialects (PostgreSQL refuses
/// SQLite's LIMIT -1).
constexpr int64_t no_limit = INT64_MAX;

/// 1 for a call `c` whose job card `j` (LEFT JOINed: may be NULL) is a
/// booking with a date and time, or a voicemail; else 0. CASE, not a
/// comparison's value, which is 0/1 in SQLite but a boolean in PostgreSQL.
constexpr const char* booked_sql = "CASE WHEN j.kind = 'call' AND j.preferred_date <> ''"
                                   " AND j.preferred_time <> '' THEN 1 ELSE 0 END";
constexpr const char* voicemail_sql = "CASE WHEN j.kind = 'voicemail' THEN 1 ELSE 0 END";

/// Steps `q` to the end, turning each row into a T with `read`.
template <class T, class Read> result<std::vector<T>> collect(query& q, Read read) {
  std::vector<T> out;
  for (;;) {
    auto row = q.step();
    if (!row)
      return row.err();
    if (!*row)
      return out;
    out.push_back(read(q));
  }
}

/// The first row `q` (prepared, its parameters bound: a prepare error is
/// passed on) yields, read by `read`; nullopt when there is none.
template <class T, class Read> result<std::optional<T>> first_row(result<query>& q, Read read) {
  if (!q)
    return q.err();
  auto row = q->step();
  if (!row)
    return row.err();
  if (!*row)
    return std::optional<T>{};
  return std::optional<T>{read(*q)};
}

/// "SELECT <every call column> FROM calls <rest>", read by read_call_row
/// (store_calls.cpp).
std::string select_calls(std::string_view rest);
call_record read_call_row(const query& q);

/// The database's clock in ms since the epoch, as SQL (store_nodes.cpp).
std::string db_now(const database& db);

/// Deletes the call's booking draft (store_recovery.cpp); part of finalize_call.
status drop_booking_draft(database& db, const std::string& call_sid);

/// `j` (stored, with its id) becomes a voicemail card: kind, the recording,
/// needs_review and a summary that says so; written to its row.
status mark_voicemail(database& db, job& j, const std::string& url, int duration_s);

} // namespace detail

struct store::impl {
  std::unique_ptr<detail::database> db;
  int version = 0;
};

} // namespace sb::storage
