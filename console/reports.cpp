#include "console/reports.hpp"

#include "actors/ask.hpp"
#include "protocol/form.hpp"
#include "receptionist/variants.hpp"

#include <caf/all.hpp>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <memory>

namespace sb::console {

namespace {

using net::http_response;
using writer = rapidjson::Writer<rapidjson::StringBuffer>;

void str(writer& w, const char* key, const std::string& v) {
  w.Key(key);
  w.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size()));
}

void num(writer& w, const char* key, int64_t v) {
  w.Key(key);
  w.Int64(v);
}

void real(writer& w, const char* key, double v) {
  w.Key(key);
  w.Double(v);
}

std::string error_json(const std::string& why) {
  rapidjson::StringBuffer buf;
  writer w{buf};
  w.StartObject();
  w.Key("ok");
  w.Bool(false);
  str(w, "error", why);
  w.EndObject();
  return buf.GetString();
}

void outcome_fields(writer& w, const storage::variant_outcome& o) {
  auto f = receptionist::figures_of(o);
  num(w, "calls", o.calls);
  num(w, "booked", o.booked);
  real(w, "bookingRate", f.booking_rate);
  real(w, "ci95Low", f.booking_ci95.low);
  real(w, "ci95High", f.booking_ci95.high);
  num(w, "transferred", o.transferred);
  num(w, "voicemails", o.voicemails);
  real(w, "meanDurationS", f.mean_duration_s);
  num(w, "meanLatencyMs", f.mean_latency_ms);
  real(w, "bargeInsPerCall", f.barge_ins_per_call);
  real(w, "costPerCallUsd", f.cost_per_call_usd);
}

/// The storage actor's answer as a response; its failure as a 503.
template <class Reply, class Query, class ToJson>
void ask_storage(const actors::services& svc, const net::responder& respond, Query q,
                 ToJson to_json) {
  actors::ask<Reply>(
      svc.storage, svc.cfg->call.storage_write,
      [respond, to_json](Reply& r) { respond(http_response::json(200, to_json(r))); },
      [respond](caf::error& e) {
        respond(
            http_response::json(503, error_json("storage did not answer: " + caf::to_string(e))));
      },
      std::move(q));
}

std::string tenants_json(const std::vector<storage::tenant>& all) {
  rapidjson::StringBuffer buf;
  writer w{buf};
  w.StartArray();
  for (const auto& t : all) {
    w.StartObject();
    str(w, "number", t.number);
    str(w, "name", t.name);
    num(w, "id", t.id);
    w.EndObject();
  }
  w.EndArray();
  return buf.GetString();
}

} // namespace

std::string report_json(const std::string& tenant, bool weekly,
                        const std::vector<storage::report_row>& rows) {
  rapidjson::StringBuffer buf;
  writer w{buf};
  w.StartObject();
  str(w, "tenant", tenant);
  str(w, "per", weekly ? "week" : "day");
  w.Key("rows");
  w.StartArray();
  for (const auto& r : rows) {
    w.StartObject();
    str(w, "period", r.period);
    num(w, "calls", r.calls);
    num(w, "answered", r.answered);
    num(w, "booked", r.booked);
    num(w, "transferred", r.transferred);
    num(w, "voicemails", r.voicemails);
    num(w, "abandoned", r.abandoned);
    num(w, "latencyTurns", r.latency_turns);
    num(w, "latencyMedianMs", r.latency_median_ms);
    num(w, "latencyP95Ms", r.latency_p95_ms);
    num(w, "tokens", r.tokens);
    real(w, "costUsd", r.cost_usd);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return buf.GetString();
}

std::string variants_json(const std::string& tenant, const actors::variants_overview& v) {
  int total_weight = 0;
  for (const auto& live : v.live)
    total_weight += live.weight;
  auto outcome_of = [&](const std::string& name) {
    for (const auto& o : v.outcomes)
      if (o.variant == name)
        return o;
    storage::variant_outcome none;
    none.variant = name;
    return none;
  };
  rapidjson::StringBuffer buf;
  writer w{buf};
  w.StartObject();
  str(w, "tenant", tenant);
  w.Key("variants");
  w.StartArray();
  for (const auto& live : v.live) {
    w.StartObject();
    str(w, "name", live.name);
    str(w, "status", "live");
    num(w, "weight", live.weight);
    real(w, "share", total_weight > 0 ? static_cast<double>(live.weight) / total_weight : 0);
    str(w, "voice", live.voice);
    outcome_fields(w, outcome_of(live.name));
    w.EndObject();
  }
  for (const auto& o : v.outcomes) {
    bool is_live = false;
    for (const auto& live : v.live)
      is_live = is_live || live.name == o.variant;
    if (is_live)
      continue;
    w.StartObject();
    str(w, "name", o.variant);
    str(w, "status", o.variant.empty() ? "none" : "retired");
    w.Key("weight");
    w.Null();
    real(w, "share", 0);
    str(w, "voice", "");
    outcome_fields(w, o);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return buf.GetString();
}

bool serve_report_api(const actors::services& svc, const net::http_request& req,
                      const net::responder& respond) {
  const std::string_view path = req.path();
  if (path != "/console/api/tenants" && path != "/console/api/report" &&
      path != "/console/api/variants")
    return false;
  auto refuse = [&respond](int status, const std::string& why) {
    respond(http_response::json(status, error_json(why)));
    return true;
  };
  if (req.method != "GET")
    return refuse(405, "GET only");
  if (path == "/console/api/tenants") {
    ask_storage<std::vector<storage::tenant>>(svc, respond, actors::tenants_query{}, tenants_json);
    return true;
  }
  auto q = req.target.find('?');
  auto params = proto::parse_form(
      q == std::string::npos ? std::string_view{} : std::string_view{req.target}.substr(q + 1));
  std::string tenant = params ? proto::form_value(*params, "tenant") : "";
  std::string per = params ? proto::form_value(*params, "per") : "";
  if (tenant.empty())
    return refuse(400, "?tenant=<number> is required");
  if (path == "/console/api/variants") {
    ask_storage<actors::variants_overview>(
        svc, respond, actors::variants_query{tenant},
        [tenant](const actors::variants_overview& v) { return variants_json(tenant, v); });
    return true;
  }
  if (!per.empty() && per != "day" && per != "week")
    return refuse(400, "per is day or week");
  bool weekly = per == "week";
  ask_storage<std::vector<storage::report_row>>(
      svc, respond, actors::report_query{tenant, weekly},
      [tenant, weekly](const std::vector<storage::report_row>& rows) {
        return report_json(tenant, weekly, rows);
      });
  return true;
}

} // namespace sb::console
