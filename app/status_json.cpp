#include "app/status_json.hpp"

#include "common/time.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace sb::app {

namespace {

using writer = rapidjson::Writer<rapidjson::StringBuffer>;

void str(writer& w, const char* key, std::string_view value) {
  w.Key(key);
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

} // namespace

std::string health_json(const actors::health_info& h, int64_t now_ms) {
  rapidjson::StringBuffer buf;
  writer w{buf};
  w.StartObject();
  str(w, "status", h.reasons.empty() ? "healthy" : "degraded");
  str(w, "service", "realtime-api");
  w.Key("openaiConnected");
  w.Bool(h.openai_connected);
  if (h.openai_observed_at_ms) {
    str(w, "openaiObservedAt", iso8601_utc(h.openai_observed_at_ms));
  } else {
    w.Key("openaiObservedAt");
    w.Null();
  }
  w.Key("activeSessions");
  w.Int(h.active_sessions);
  str(w, "timestamp", iso8601_utc(now_ms));
  w.Key("reasons");
  w.StartArray();
  for (const auto& r : h.reasons) {
    w.StartObject();
    str(w, "code", r.code);
    str(w, "detail", r.detail);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return buf.GetString();
}

std::string sessions_json(const actors::sessions_info& s, int64_t now_ms) {
  rapidjson::StringBuffer buf;
  writer w{buf};
  w.StartObject();
  w.Key("sessions");
  w.StartArray();
  for (const auto& c : s.calls) {
    w.StartObject();
    str(w, "callSid", c.call_sid);
    str(w, "tenant", c.tenant_number);
    str(w, "tenantName", c.tenant_name);
    str(w, "from", c.from);
    str(w, "state", to_string(c.phase));
    w.Key("duration");
    w.Int64(now_ms - c.started_at_ms);
    w.Key("conversationTurns");
    w.Int(c.turns);
    w.Key("hasBookingInfo");
    w.Bool(c.has_booking);
    w.Key("openaiConnected");
    w.Bool(c.openai_connected);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return buf.GetString();
}

} // namespace sb::app
