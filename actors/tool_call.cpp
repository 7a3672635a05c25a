#include "actors/tool_call.hpp"

#include "actors/introspect.hpp"
#include "common/log.hpp"
#include "common/time.hpp"
#include "receptionist/tools.hpp"

#include <caf/all.hpp>

#include <map>

namespace sb::actors {

namespace {

struct tool_state {
  services svc;
  storage::tenant tenant;
  call_supervisor_actor supervisor;
  storage::booking booking;
  std::map<std::string, int64_t> running; ///< call_id -> started (mono_us)
  actor_stats stats;
  static inline const char* name = "tool_call";
};

using self_ptr = tool_call_actor::stateful_pointer<tool_state>;

void finish(self_ptr self, const tool_request& req, receptionist::tool_outcome o) {
  auto it = self->state.running.find(req.call_id);
  if (it == self->state.running.end())
    return; // already timed out
  tool_result r;
  r.call_id = req.call_id;
  r.name = req.name;
  r.output = std::move(o.output);
  r.ok = o.ok;
  r.end_call = o.end_call;
  if (o.booking_changed) {
    r.has_booking = true;
    r.booking = self->state.booking;
  }
  r.duration_us = mono_us() - it->second;
  self->state.running.erase(it);
  ++self->state.stats.out;
  self->send(self->state.supervisor, std::move(r));
}

receptionist::tool_context context(self_ptr self) {
  return {self->state.booking, self->state.tenant, self->state.svc.cfg->tools.slot_minutes};
}

/// Runs `def`, reading its calendar day first if it needs one.
void execute(self_ptr self, const receptionist::tool_def& def, const tool_request& req) {
  std::string day = def.calendar_day ? def.calendar_day(req.arguments) : "";
  if (day.empty()) {
    auto ctx = context(self);
    return finish(self, req, def.run(ctx, req.arguments));
  }
  self->request(self->state.svc.storage, self->state.svc.cfg->tools.timeout,
                jobs_on_day{self->state.tenant.number, day})
      .then(
          [self, &def, req](std::vector<storage::job>& jobs) {
            auto ctx = context(self);
            ctx.jobs_that_day = &jobs;
            finish(self, req, def.run(ctx, req.arguments));
          },
          [self, req](caf::error&) {
            finish(self, req,
                   receptionist::tool_failed("the calendar could not be read", "available"));
          });
}

void start(self_ptr self, const tool_request& req) {
  self->state.running[req.call_id] = mono_us();
  // Whatever a tool does, the model hears back within the timeout.
  self->delayed_send(self, self->state.svc.cfg->tools.timeout, timeout_atom::value, req.call_id,
                     req.name);
  const auto* def = receptionist::find_tool(req.name);
  if (!def) {
    log::warn("ToolCall", "Unknown tool requested: " + req.name);
    return finish(self, req, receptionist::tool_failed("unknown tool " + req.name));
  }
  // Rehearsing a slow calendar (tools.check_availability_delay): the request
  // comes back to this actor after the delay, and runs then.
  auto delay = self->state.svc.cfg->tools.check_availability_delay;
  if (def->calendar_day && delay.count() > 0)
    return self->delayed_send(self, delay, req);
  execute(self, *def, req);
}

tool_call_actor::behavior_type tool_call(self_ptr self, services svc, storage::tenant tenant,
                                         call_supervisor_actor sup) {
  self->state.svc = std::move(svc);
  self->state.tenant = std::move(tenant);
  self->state.supervisor = std::move(sup);
  auto state_of = [self] {
    auto n = self->state.running.size();
    return n > 0 ? "running " + std::to_string(n) : std::string{"idle"};
  };
  return introspected<tool_call_actor::behavior_type>(
      self, self->state.svc, "tool_call", &self->state.stats, state_of,
      [self](tool_request& req) {
        if (self->state.running.count(req.call_id) == 0)
          return start(self, req);
        // The delayed second half of a slow calendar check.
        if (const auto* def = receptionist::find_tool(req.name))
          execute(self, *def, req);
      },
      [self](timeout_atom, const std::string& call_id, const std::string& name) {
        if (self->state.running.count(call_id) == 0)
          return;
        log::warn("ToolCall", "Tool " + name + " timed out");
        finish(self, tool_request{call_id, name, {}},
               receptionist::tool_failed("the tool timed out"));
      });
}

} // namespace

tool_call_actor spawn_tool_call(caf::local_actor* parent, services svc, storage::tenant tenant,
                                call_supervisor_actor supervisor) {
  return parent->spawn<caf::monitored>(tool_call, std::move(svc), std::move(tenant),
                                       std::move(supervisor));
}

} // namespace sb::actors
