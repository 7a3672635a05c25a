#include "actors/tool_call.hpp"

#include "actors/introspect.hpp"
#include "actors/messages.hpp"
#include "common/log.hpp"
#include "common/time.hpp"
#include "receptionist/booking.hpp"
#include "receptionist/hours.hpp"

#include <caf/all.hpp>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <map>

namespace sb::actors {

namespace {

struct tool_state {
  services svc;
  storage::tenant tenant;
  caf::actor supervisor;
  storage::booking booking;
  std::map<std::string, int64_t> running; ///< call_id -> started (mono_us)
  actor_stats stats;
  static inline const char* name = "tool_call";
};

using self_ptr = caf::stateful_actor<tool_state>*;

std::string json_object(std::initializer_list<std::pair<const char*, std::string>> kv,
                        const std::vector<std::string>& missing = {}, bool with_missing = false) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w{buf};
  w.StartObject();
  for (const auto& [k, v] : kv) {
    w.Key(k);
    if (v == "true" || v == "false") w.Bool(v == "true");
    else w.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size()));
  }
  if (with_missing) {
    w.Key("missing");
    w.StartArray();
    for (const auto& m : missing) w.String(m.c_str(), static_cast<rapidjson::SizeType>(m.size()));
    w.EndArray();
  }
  w.EndObject();
  return buf.GetString();
}

void finish(self_ptr self, tool_result r) {
  auto it = self->state.running.find(r.call_id);
  if (it == self->state.running.end()) return; // already timed out
  r.duration_us = mono_us() - it->second;
  self->state.running.erase(it);
  ++self->state.stats.out;
  self->send(self->state.supervisor, std::move(r));
}

void record_booking(self_ptr self, const tool_request& req) {
  auto merged = receptionist::merge_booking(self->state.booking, req.arguments);
  tool_result r{req.call_id, req.name, {}, true, std::nullopt, false, 0};
  if (!merged) {
    r.ok = false;
    r.output = json_object({{"ok", "false"}, {"error", merged.err().message}});
  } else {
    self->state.booking = *merged;
    r.booking = *merged;
    r.output = json_object({{"ok", "true"}}, receptionist::missing_fields(*merged), true);
  }
  finish(self, std::move(r));
}

void check_availability(self_ptr self, const tool_request& req) {
  rapidjson::Document doc;
  doc.Parse(req.arguments.c_str());
  auto str = [&](const char* k) -> std::string {
    if (!doc.IsObject()) return {};
    auto it = doc.FindMember(k);
    return it != doc.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
  };
  std::string date = str("date"), time = str("time");
  auto fail = [&](const std::string& why) {
    finish(self, tool_result{req.call_id, req.name,
                             json_object({{"available", "false"}, {"error", why}}), false,
                             std::nullopt, false, 0});
  };
  if (date.empty() || time.empty()) return fail("date and time are required");
  auto call_id = req.call_id;
  auto name = req.name;
  self->request(self->state.svc.storage, self->state.svc.cfg->tools.timeout,
                jobs_on_day{self->state.tenant.number, date})
    .then(
      [self, call_id, name, date, time](std::vector<storage::job>& jobs) {
        std::vector<std::string> booked;
        for (const auto& j : jobs) booked.push_back(j.details.preferred_time);
        auto a = receptionist::check_slot(self->state.tenant.hours, date, time,
                                          self->state.svc.cfg->tools.slot_minutes, booked);
        tool_result r{call_id, name, {}, true, std::nullopt, false, 0};
        if (!a) {
          r.ok = false;
          r.output = json_object({{"available", "false"}, {"error", a.err().message}});
        } else {
          r.output = json_object({{"available", a->available ? "true" : "false"},
                                  {"reason", a->reason}, {"date", date}, {"time", time}});
        }
        finish(self, std::move(r));
      },
      [self, call_id, name](caf::error&) {
        finish(self, tool_result{call_id, name,
                                 json_object({{"available", "false"},
                                              {"error", "the calendar could not be read"}}),
                                 false, std::nullopt, false, 0});
      });
}

void run(self_ptr self, tool_request& req) {
  self->state.running[req.call_id] = mono_us();
  // Whatever a tool does, the model hears back within the timeout.
  self->delayed_send(self, self->state.svc.cfg->tools.timeout, timeout_atom::value, req.call_id,
                     req.name);
  if (req.name == "record_booking_details") {
    record_booking(self, req);
  } else if (req.name == "check_availability") {
    auto delay = self->state.svc.cfg->tools.check_availability_delay;
    if (delay.count() > 0) self->delayed_send(self, delay, req);
    else check_availability(self, req);
  } else if (req.name == "end_call") {
    finish(self, tool_result{req.call_id, req.name, json_object({{"ok", "true"}}), true,
                             std::nullopt, true, 0});
  } else {
    log::warn("ToolCall", "Unknown tool requested: " + req.name);
    finish(self, tool_result{req.call_id, req.name,
                             json_object({{"ok", "false"}, {"error", "unknown tool " + req.name}}),
                             false, std::nullopt, false, 0});
  }
}

caf::behavior tool_call(self_ptr self, services svc, storage::tenant tenant, caf::actor sup) {
  self->state.svc = std::move(svc);
  self->state.tenant = std::move(tenant);
  self->state.supervisor = std::move(sup);
  auto state_of = [self] {
    auto n = self->state.running.size();
    return n > 0 ? "running " + std::to_string(n) : std::string{"idle"};
  };
  return introspected(
    self, self->state.svc, "tool_call", &self->state.stats, state_of,
    [self](tool_request& req) {
      if (self->state.running.count(req.call_id) == 0) run(self, req);
      else check_availability(self, req); // the delayed second half of a slow check
    },
    [self](timeout_atom, const std::string& call_id, const std::string& name) {
      if (self->state.running.count(call_id) == 0) return;
      log::warn("ToolCall", "Tool " + name + " timed out");
      finish(self, tool_result{call_id, name,
                               json_object({{"ok", "false"}, {"error", "the tool timed out"}}),
                               false, std::nullopt, false, 0});
    });
}

} // namespace

caf::actor spawn_tool_call(caf::local_actor* parent, services svc, storage::tenant tenant,
                           caf::actor supervisor) {
  return parent->spawn<caf::monitored>(tool_call, std::move(svc), std::move(tenant),
                                       std::move(supervisor));
}

} // namespace sb::actors
