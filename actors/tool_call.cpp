#include "actors/tool_call.hpp"

#include "actors/introspect.hpp"
#include "actors/write_ahead.hpp"
#include "common/log.hpp"
#include "common/time.hpp"
#include "receptionist/test_fault.hpp"
#include "receptionist/tools.hpp"

#include <caf/all.hpp>

#include <map>
#include <memory>
#include <set>

namespace sb::actors {

namespace {

struct tool_state {
  services svc;
  storage::tenant tenant;
  call_supervisor_actor supervisor;
  storage::booking booking;
  std::map<std::string, int64_t> running; ///< call_id -> started (mono_us)
  std::set<std::string> answered;         ///< call_ids answered (a tool's late run is dropped)
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
    write_ahead::booking(self->state.svc, r.booking);
  }
  r.duration_us = mono_us() - it->second;
  self->state.running.erase(it);
  self->state.answered.insert(req.call_id);
  ++self->state.stats.out;
  self->send(self->state.supervisor, std::move(r));
}

receptionist::tool_context context(self_ptr self) {
  auto& st = self->state;
  return {st.booking, st.tenant, st.tenant.slot_length(st.svc.cfg->tools.slot_minutes)};
}

using jobs_ptr = std::shared_ptr<const std::vector<storage::job>>;

/// Runs `def` on the day's jobs (null: it needs none). A slot the tool
/// offered or recorded is held for this call; when another live call holds
/// it already, the tool runs again knowing that, and that answer is the one
/// the model hears (the table decides what it says).
void run(self_ptr self, const receptionist::tool_def& def, const tool_request& req, jobs_ptr jobs) {
  auto ctx = context(self);
  ctx.jobs_that_day = jobs.get();
  auto before = self->state.booking; // the second run starts from it again
  auto o = def.run(ctx, req.arguments);
  const auto& svc = self->state.svc;
  if (!o.hold || !svc.holds)
    return finish(self, req, std::move(o));
  hold_slot h{o.hold->tenant_number,
              o.hold->date,
              o.hold->time,
              svc.call_sid,
              caf::actor_cast<caf::actor_addr>(self->state.supervisor),
              o.hold_replaces,
              ctx.slot_minutes,
              o.hold_places};
  self->request(svc.holds, svc.cfg->tools.timeout, std::move(h))
      .then(
          [self, &def, req, jobs, o, before](hold_reply& r) mutable {
            if (r.held)
              return finish(self, req, std::move(o));
            self->state.booking = before;
            auto again = context(self);
            again.jobs_that_day = jobs.get();
            again.held_elsewhere = &r.conflicts;
            finish(self, req, def.run(again, req.arguments));
          },
          [self, req, o](caf::error& e) mutable {
            log::warn("ToolCall", "A slot could not be held: " + describe(e), self->state.svc.log);
            finish(self, req, std::move(o));
          });
}

/// Runs `def`, reading its calendar day first if it needs one.
void execute(self_ptr self, const receptionist::tool_def& def, const tool_request& req) {
  std::string day = def.calendar_day ? def.calendar_day(self->state.booking, req.arguments) : "";
  if (day.empty())
    return run(self, def, req, nullptr);
  self->request(self->state.svc.storage, self->state.svc.cfg->tools.timeout,
                jobs_on_day{self->state.tenant.number, day})
      .then(
          [self, &def, req](std::vector<storage::job>& jobs) {
            run(self, def, req, std::make_shared<const std::vector<storage::job>>(std::move(jobs)));
          },
          [self, req](caf::error&) {
            finish(self, req,
                   receptionist::tool_failed("the calendar could not be read", "available"));
          });
}

void start(self_ptr self, const tool_request& req) {
  self->state.running[req.call_id] = mono_us();
  // Tests only (receptionist/test_fault.hpp): die with this call pending.
  if (self->state.svc.cfg->debug.test_faults &&
      receptionist::crash_target_of(req.name, req.arguments) ==
          receptionist::crash_target::tool_call)
    return self->quit(make_error(call_error::injected_fault, "__test_crash in tool_call"));
  // Whatever a tool does, the model hears back within the timeout.
  self->delayed_send(self, self->state.svc.cfg->tools.timeout, timeout_atom::value, req.call_id,
                     req.name);
  const auto* def = receptionist::find_tool(req.name);
  if (!def) {
    log::warn("ToolCall", "Unknown tool requested: " + req.name, self->state.svc.log);
    return finish(self, req, receptionist::tool_failed("unknown tool " + req.name));
  }
  // Rehearsing a slow calendar (tools.check_availability_delay): the request
  // comes back to this actor after the delay, and runs then.
  auto delay = self->state.svc.cfg->tools.check_availability_delay;
  if (def->name == receptionist::check_availability_tool && delay.count() > 0)
    return self->delayed_send(self, delay, req);
  execute(self, *def, req);
}

tool_call_actor::behavior_type tool_call(self_ptr self, services svc, storage::tenant tenant,
                                         call_supervisor_actor sup, storage::booking booking) {
  self->state.svc = std::move(svc);
  self->state.tenant = std::move(tenant);
  self->state.supervisor = std::move(sup);
  self->state.booking = std::move(booking);
  auto state_of = [self] {
    auto n = self->state.running.size();
    return n > 0 ? "running " + std::to_string(n) : std::string{"idle"};
  };
  return introspected<tool_call_actor::behavior_type>(
      self, self->state.svc, "tool_call", &self->state.stats, state_of,
      [self](tool_request& req) {
        auto& st = self->state;
        // A call_id already answered: the delayed second half of a calendar
        // check that timed out meanwhile. Run, it would start over (and time
        // out again, for as long as the call lasts).
        if (st.answered.count(req.call_id) != 0)
          return;
        if (st.running.count(req.call_id) == 0)
          return start(self, req);
        // The delayed second half of a slow calendar check.
        if (const auto* def = receptionist::find_tool(req.name))
          execute(self, *def, req);
      },
      [self](timeout_atom, const std::string& call_id, const std::string& name) {
        if (self->state.running.count(call_id) == 0)
          return;
        log::warn("ToolCall", "Tool " + name + " timed out", self->state.svc.log);
        finish(self, tool_request{call_id, name, {}},
               receptionist::tool_failed("the tool timed out"));
      });
}

} // namespace

tool_call_actor spawn_tool_call(caf::local_actor* parent, services svc, storage::tenant tenant,
                                call_supervisor_actor supervisor, storage::booking booking) {
  // Linked: it dies with its supervisor (actors/call_supervisor.hpp).
  return parent->spawn<caf::monitored + caf::linked>(tool_call, std::move(svc), std::move(tenant),
                                                     std::move(supervisor), std::move(booking));
}

} // namespace sb::actors
