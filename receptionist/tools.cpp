#include "receptionist/tools.hpp"

#include "receptionist/booking.hpp"
#include "receptionist/hours.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>

namespace sb::receptionist {

namespace {

using writer = rapidjson::Writer<rapidjson::StringBuffer>;

void put(writer& w, std::string_view key, std::string_view value) {
  w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

void put(writer& w, std::string_view key, bool value) {
  w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
  w.Bool(value);
}

/// {"<flag>":false,"error":why}
std::string error_json(std::string_view flag, std::string_view why) {
  rapidjson::StringBuffer buf;
  writer w{buf};
  w.StartObject();
  put(w, flag, false);
  put(w, "error", why);
  w.EndObject();
  return buf.GetString();
}

std::string string_arg(std::string_view arguments_json, const char* key) {
  rapidjson::Document doc;
  doc.Parse(arguments_json.data(), arguments_json.size());
  if (doc.HasParseError() || !doc.IsObject())
    return {};
  auto it = doc.FindMember(key);
  return it != doc.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

// -- the calendar's capacity (issue 17.6) -----------------------------------------

/// The booked times of the day's stored job cards.
std::vector<std::string> booked_times(const tool_context& ctx) {
  std::vector<std::string> out;
  if (ctx.jobs_that_day)
    for (const auto& j : *ctx.jobs_that_day)
      out.push_back(j.details.preferred_time);
  return out;
}

int capacity_of(const tool_context& ctx) {
  return std::max(1, ctx.tenant.slot_capacity);
}

/// The holds `time` may still take: capacity less the bookings overlapping it.
int places_left(const tool_context& ctx, const std::vector<std::string>& booked,
                std::string_view time) {
  return capacity_of(ctx) - static_cast<int>(overlapping(booked, time, ctx.slot_minutes).size());
}

/// The first free slot after `time` that day, as the caller's alternative.
std::string next_free(const tool_context& ctx, const std::string& date, const std::string& time,
                      const std::vector<std::string>& booked) {
  static const std::vector<std::string> none;
  return next_free_slot(ctx.tenant.hours, date, time, ctx.slot_minutes, booked,
                        ctx.held_elsewhere ? *ctx.held_elsewhere : none, capacity_of(ctx));
}

// -- record_booking_details ----------------------------------------------------

/// The day to read when the arguments set a date or a time and the booking
/// then has both: the slot is checked against the day's bookings.
std::string booking_day(const storage::booking& so_far, std::string_view args) {
  auto touched =
      !string_arg(args, "preferred_date").empty() || !string_arg(args, "preferred_time").empty();
  auto merged = merge_booking(so_far, args);
  if (!touched || !merged || merged->preferred_time.empty())
    return {};
  return merged->preferred_date;
}

/// Why the booking's new slot cannot be recorded ("" : it can): the stored
/// bookings fill it, or (on a second run) they and other calls' holds do.
std::string slot_full(const tool_context& ctx, const storage::booking& b,
                      const std::vector<std::string>& booked) {
  if (b.preferred_date.empty() || b.preferred_time.empty())
    return {};
  int left = places_left(ctx, booked, b.preferred_time);
  if (left <= 0)
    return "that time is fully booked: offer the caller a different one";
  if (ctx.held_elsewhere &&
      static_cast<int>(
          overlapping(*ctx.held_elsewhere, b.preferred_time, ctx.slot_minutes).size()) >= left)
    return "another caller is booking that time: offer the caller a different one";
  return {};
}

tool_outcome record_booking(tool_context& ctx, std::string_view args) {
  auto merged = merge_booking(ctx.booking, args);
  if (!merged)
    return {false, error_json("ok", merged.err().message)};
  auto booked = booked_times(ctx);
  bool new_slot = merged->preferred_date != ctx.booking.preferred_date ||
                  merged->preferred_time != ctx.booking.preferred_time;
  std::string full = new_slot ? slot_full(ctx, *merged, booked) : "";
  std::string refused_date = merged->preferred_date, refused_time = merged->preferred_time;
  if (!full.empty()) { // the other details stand; the slot stays what it was
    merged->preferred_date = ctx.booking.preferred_date;
    merged->preferred_time = ctx.booking.preferred_time;
  }
  ctx.booking = *merged;
  rapidjson::StringBuffer buf;
  writer w{buf};
  w.StartObject();
  put(w, "ok", full.empty());
  if (!full.empty()) {
    put(w, "error", full);
    if (auto next = next_free(ctx, refused_date, refused_time, booked); !next.empty())
      put(w, "next_free_time", next);
  }
  w.Key("missing");
  w.StartArray();
  for (const auto& m : missing_fields(ctx.booking))
    w.String(m.c_str(), static_cast<rapidjson::SizeType>(m.size()));
  w.EndArray();
  w.EndObject();
  tool_outcome o{true, buf.GetString(), true, false};
  const auto& b = ctx.booking;
  if (full.empty() && !b.preferred_date.empty() && !b.preferred_time.empty() &&
      !ctx.held_elsewhere) {
    o.hold = held_slot{ctx.tenant.number, b.preferred_date, b.preferred_time};
    o.hold_replaces = true;
    o.hold_places = places_left(ctx, booked, b.preferred_time);
  }
  return o;
}

// -- check_availability -----------------------------------------------------------

std::string availability_day(const storage::booking&, std::string_view args) {
  return string_arg(args, "date");
}

tool_outcome check_availability(tool_context& ctx, std::string_view args) {
  auto date = string_arg(args, "date"), time = string_arg(args, "time");
  if (date.empty() || time.empty())
    return {false, error_json("available", "date and time are required")};
  auto booked = booked_times(ctx);
  static const std::vector<std::string> none;
  auto a = check_slot(ctx.tenant.hours, date, time, ctx.slot_minutes, booked,
                      ctx.held_elsewhere ? *ctx.held_elsewhere : none, capacity_of(ctx));
  if (!a)
    return {false, error_json("available", a.err().message)};
  rapidjson::StringBuffer buf;
  writer w{buf};
  w.StartObject();
  put(w, "available", a->available);
  put(w, "reason", a->reason);
  put(w, "date", date);
  put(w, "time", time);
  if (!a->available && (a->reason == "already booked" || a->reason == "held by another caller"))
    if (auto next = next_free(ctx, date, time, booked); !next.empty())
      put(w, "next_free_time", next);
  w.EndObject();
  tool_outcome o{true, buf.GetString()};
  if (a->available) { // offered to this caller: no other call may be offered it now
    o.hold = held_slot{ctx.tenant.number, date, time};
    o.hold_places = places_left(ctx, booked, time);
  }
  return o;
}

// -- end_call ------------------------------------------------------------------------

tool_outcome end_call(tool_context&, std::string_view) {
  return {true, R"({"ok":true})", false, true};
}

// -- transfer_to_human ----------------------------------------------------------------

/// Never run here: the call supervisor answers it (actors/call_transfer.cpp).
tool_outcome transfer_to_human(tool_context&, std::string_view) {
  return tool_failed("transfers are handled by the call, not the tool runner");
}

} // namespace

const std::vector<tool_def>& tool_table() {
  static const std::vector<tool_def> table{
      {record_booking_tool,
       "Record the caller's job details as you learn them. Call it again whenever a detail is "
       "added or corrected; fields you leave out keep their earlier values. A date and time that "
       "is fully booked is refused (ok false) and the other details are kept: offer another time.",
       R"({"type":"object","properties":{)"
       R"("customer_name":{"type":"string","description":"The caller's full name"},)"
       R"("callback_phone":{"type":"string","description":"Callback number, E.164 if possible"},)"
       R"("service":{"type":"string","description":"What the caller needs done"},)"
       R"("address":{"type":"string","description":"Where the job is"},)"
       R"("preferred_date":{"type":"string","description":"YYYY-MM-DD"},)"
       R"("preferred_time":{"type":"string","description":"HH:MM, 24-hour, business local time"},)"
       R"("urgency":{"type":"string","enum":["emergency","urgent","normal","flexible"]},)"
       R"("notes":{"type":"string"}},"additionalProperties":false})",
       booking_day, record_booking},
      {check_availability_tool,
       "Check whether the business can come at a date and time: within business hours and not "
       "fully booked. When it cannot, next_free_time (if given) is the next free time that day.",
       R"({"type":"object","properties":{)"
       R"("date":{"type":"string","description":"YYYY-MM-DD"},)"
       R"("time":{"type":"string","description":"HH:MM, 24-hour"}},)"
       R"("required":["date","time"],"additionalProperties":false})",
       availability_day, check_availability},
      {end_call_tool,
       "Hang up. Say goodbye first: the call ends after your goodbye has finished playing.",
       R"({"type":"object","properties":{"reason":{"type":"string"}},"additionalProperties":false})",
       nullptr, end_call},
      {transfer_tool,
       "Put the caller through to a person at the business. Use it when the caller asks for a "
       "person, or the matter is an emergency you cannot handle. Do not say goodbye: a short "
       "hand-over line is spoken for you. If the output says it failed, tell the caller and offer "
       "to take a message.",
       R"({"type":"object","properties":{"reason":{"type":"string",)"
       R"("description":"Why, in a few words, e.g. caller asked for a person"}},)"
       R"("required":["reason"],"additionalProperties":false})",
       nullptr, transfer_to_human},
  };
  return table;
}

const tool_def* find_tool(std::string_view name) {
  for (const auto& t : tool_table())
    if (t.name == name)
      return &t;
  return nullptr;
}

std::vector<proto::tool_spec> tool_specs() {
  std::vector<proto::tool_spec> specs;
  for (const auto& t : tool_table())
    specs.push_back(
        {std::string{t.name}, std::string{t.description}, std::string{t.parameters_json}});
  return specs;
}

tool_outcome tool_failed(std::string_view why, std::string_view flag) {
  return {false, error_json(flag, why)};
}

} // namespace sb::receptionist
