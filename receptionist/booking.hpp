#pragma once
// Booking details gathered by record_booking_details, and the job card made
// from them when the call ends.

#include "common/result.hpp"
#include "storage/records.hpp"

#include <string>
#include <string_view>

namespace sb::receptionist {

/// Merges the tool's JSON arguments into `b`: fields present overwrite, absent
/// fields keep their values. Errors: {"malformed_json"}, {"invalid_arguments"}
/// (not an object, or a non-string field).
result<storage::booking> merge_booking(storage::booking b, std::string_view arguments_json);

/// Names of the fields a job card still lacks ("customer_name", ...).
std::vector<std::string> missing_fields(const storage::booking& b);

/// The job card for a finished call, with the call's cost. A call without
/// booking details still gets a card, marked needs_review with a summary
/// that says so.
storage::job make_job(const storage::call_record& call, const storage::booking& b, int64_t now_ms);

/// The push notification body (JSON) for a job card: type job.created, or
/// voicemail.recorded for a voicemail. A transferred call's card carries
/// "transfer": {"reason", "status", "humanAnswered"} (README, transfers).
/// With `ics` non-empty (receptionist/ics.hpp), the booked slot goes along as "ics".
std::string push_body_with_ics(const storage::job& j, const storage::tenant& t,
                               std::string_view ics);
std::string push_body(const storage::job& j, const storage::tenant& t);

/// The same body with type job.updated: a card changed after it was pushed
/// (a transfer's outcome arrived).
std::string push_update_body(const storage::job& j, const storage::tenant& t);

} // namespace sb::receptionist
