#pragma once
// The console's Reports and Variants pages' data (issue 17.2, 17.5), as JSON
// for the page's charts and tables, read from the storage actor with the
// same queries `switchboard report` runs (store::report, variants_of,
// variant_report) and, for variants, the same figures (receptionist::
// figures_of). Served to a logged-in operator only (console/routes.cpp):
//   GET /console/api/tenants                       [{"number","name","id"}]
//   GET /console/api/report?tenant=NUM&per=day|week {"tenant","per","rows":[...]}
//   GET /console/api/variants?tenant=NUM            {"tenant","variants":[...]}
// NUM is the tenant's number, URL-encoded (its '+' as %2B).

#include "actors/messages.hpp"
#include "actors/services.hpp"
#include "net/http_server.hpp"

#include <string>
#include <vector>

namespace sb::console {

/// True when `req` is one of the API paths above (then `respond` is called,
/// now or when storage answers); false: not ours.
bool serve_report_api(const actors::services& svc, const net::http_request& req,
                      const net::responder& respond);

/// The report's rows: {"tenant","per","rows":[{"period","calls","answered",
/// "booked","transferred","voicemails","abandoned","latencyTurns",
/// "latencyMedianMs","latencyP95Ms" (-1: none),"tokens","costUsd"}]}.
std::string report_json(const std::string& tenant, bool weekly,
                        const std::vector<storage::report_row>& rows);

/// The live variants in their order, then names only calls carry (retired
/// ones; "" for calls that got none): {"tenant","variants":[{"name",
/// "status" (live|retired|none),"weight" (null unless live),"share","voice",
/// "calls","booked","bookingRate","ci95Low","ci95High","transferred",
/// "voicemails","meanDurationS","meanLatencyMs" (-1: none),
/// "bargeInsPerCall","costPerCallUsd"}]}.
std::string variants_json(const std::string& tenant, const actors::variants_overview& v);

} // namespace sb::console
