#include "receptionist/booking.hpp"

#include "common/phrases.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace sb::receptionist {

namespace {

struct field {
  const char* name;
  std::string storage::booking::*member;
};

constexpr field fields[] = {
    {"customer_name", &storage::booking::customer_name},
    {"callback_phone", &storage::booking::callback_phone},
    {"service", &storage::booking::service},
    {"address", &storage::booking::address},
    {"preferred_date", &storage::booking::preferred_date},
    {"preferred_time", &storage::booking::preferred_time},
    {"urgency", &storage::booking::urgency},
    {"notes", &storage::booking::notes},
};

} // namespace

result<storage::booking> merge_booking(storage::booking b, std::string_view arguments_json) {
  rapidjson::Document doc;
  doc.Parse(arguments_json.data(), arguments_json.size());
  if (doc.HasParseError())
    return error{"malformed_json", "tool arguments are not valid JSON"};
  if (!doc.IsObject())
    return error{"invalid_arguments", "tool arguments must be a JSON object"};
  for (const auto& f : fields) {
    auto it = doc.FindMember(f.name);
    if (it == doc.MemberEnd() || it->value.IsNull())
      continue;
    if (!it->value.IsString())
      return error{"invalid_arguments", std::string{f.name} + " must be a string"};
    std::string v{it->value.GetString(), it->value.GetStringLength()};
    if (!v.empty())
      b.*(f.member) = std::move(v);
  }
  return b;
}

std::vector<std::string> missing_fields(const storage::booking& b) {
  std::vector<std::string> out;
  for (const auto& f : fields) {
    std::string_view n = f.name;
    if (n == "notes" || n == "urgency")
      continue; // optional on a job card
    if ((b.*(f.member)).empty())
      out.emplace_back(n);
  }
  return out;
}

storage::job make_job(const storage::call_record& call, const storage::booking& b, int64_t now_ms) {
  storage::job j;
  j.call_sid = call.call_sid;
  j.tenant_number = call.tenant_number;
  j.caller = call.from;
  j.details = b;
  if (j.details.callback_phone.empty())
    j.details.callback_phone = call.from;
  j.created_at_ms = now_ms;
  j.cost_usd = call.cost_usd;
  j.language = call.language;
  j.transfer = call.transfer;
  j.resumes = call.resumes;
  auto missing = missing_fields(j.details);
  // In the business's own language (the call's: its default; issue 17.1).
  const auto& say = phrases_for(call.language);
  if (b.empty()) {
    j.status = "needs_review";
    j.summary = fill_phrase(say.no_details, {call.end_reason == end_reason::none
                                                 ? std::string{"ended"}
                                                 : std::string{to_string(call.end_reason)}});
  } else {
    j.status = missing.empty() ? "new" : "needs_review";
    j.summary = (j.details.service.empty() ? std::string{say.job} : j.details.service);
    if (!j.details.customer_name.empty())
      j.summary += std::string{" "} + say.for_name + " " + j.details.customer_name;
    if (!j.details.preferred_date.empty())
      j.summary += std::string{" "} + say.on_date + " " + j.details.preferred_date + " " +
                   j.details.preferred_time;
    if (!missing.empty()) {
      j.summary += std::string{" ("} + say.missing;
      for (const auto& m : missing)
        j.summary += " " + m;
      j.summary += ")";
    }
    // A call cut short by a timeout says so: the business may want to call back.
    if (call.end_reason == end_reason::max_duration || call.end_reason == end_reason::caller_silent)
      j.summary +=
          std::string{" ("} + say.call_ended + " " + std::string{to_string(call.end_reason)} + ")";
  }
  if (j.transfer.transferred()) {
    j.status = "needs_review"; // a person took (or was meant to take) it over
    j.summary += " " + fill_phrase(say.transferred, {j.transfer.reason});
  }
  return j;
}

namespace {

std::string push_json(const storage::job& j, const storage::tenant& t, const char* type,
                      std::string_view ics = {}) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w{buf};
  auto kv = [&](const char* k, const std::string& v) {
    w.Key(k);
    w.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size()));
  };
  w.StartObject();
  kv("type", type);
  kv("kind", j.kind);
  kv("tenant", t.number);
  kv("business", t.name);
  kv("callSid", j.call_sid);
  kv("caller", j.caller);
  kv("status", j.status);
  kv("summary", j.summary);
  if (!j.language.empty())
    kv("language", j.language); // ISO 639-1, the call's (issue 17.1)
  w.Key("job");
  w.StartObject();
  for (const auto& f : fields)
    kv(f.name, j.details.*(f.member));
  w.EndObject();
  if (!j.recording_url.empty()) {
    kv("recordingUrl", j.recording_url);
    w.Key("recordingDurationS");
    w.Int(j.recording_duration_s);
  }
  if (j.transfer.transferred()) {
    w.Key("transfer");
    w.StartObject();
    kv("reason", j.transfer.reason);
    kv("status", j.transfer.status);
    w.Key("humanAnswered");
    if (j.transfer.status.empty() || j.transfer.status == "dialing")
      w.Null(); // not known yet: job.updated follows with <Dial>'s outcome
    else
      w.Bool(j.transfer.human_answered());
    w.EndObject();
  }
  if (!j.analysis.empty()) { // actors/call_analysis.cpp: a JSON object, validated there
    w.Key("analysis");
    w.RawValue(j.analysis.c_str(), j.analysis.size(), rapidjson::kObjectType);
  }
  if (!ics.empty()) {
    w.Key("ics");
    w.String(ics.data(), static_cast<rapidjson::SizeType>(ics.size()));
  }
  w.Key("resumes"); // times the caller was picked up again after a lost stream
  w.Int(j.resumes);
  w.Key("costUsd"); // what the call cost in OpenAI usage (config.toml [prices])
  w.Double(j.cost_usd);
  w.Key("createdAt");
  w.Int64(j.created_at_ms);
  w.EndObject();
  return buf.GetString();
}

} // namespace

std::string push_body(const storage::job& j, const storage::tenant& t) {
  return push_body_with_ics(j, t, {});
}

std::string push_body_with_ics(const storage::job& j, const storage::tenant& t,
                               std::string_view ics) {
  return push_json(j, t, j.kind == "voicemail" ? "voicemail.recorded" : "job.created", ics);
}

std::string push_update_body(const storage::job& j, const storage::tenant& t) {
  return push_json(j, t, "job.updated");
}

} // namespace sb::receptionist
