// A fresh Realtime session before the service's own limit (issue 13 item 4).
// OpenAI ends a Realtime session after 60 minutes (docs/protocols.md 3a).
// After [openai] session_max_ms the supervisor opens a standby session
// (connected and configured, off the audio path), waits for a moment between
// turns, replays the conversation to it, and switches the relay over in one
// step: every caller frame goes to exactly one session, none is lost. The
// old session is then closed. This is the reconnect path's replay
// (replay_conversation, call_turns.cpp) without the drop.

#include "actors/call_state.hpp"

#include "common/log.hpp"
#include "common/time.hpp"

#include <caf/all.hpp>

#include <algorithm>

namespace sb::actors::detail {

namespace {

/// How soon a switch waiting for a moment between turns looks again.
constexpr std::chrono::milliseconds between_turns_poll{50};

/// Between turns: nobody speaks or is about to, no tool runs, the caller's
/// last words are transcribed (the replay carries them), and the assistant's
/// last audio has played (a barge-in then would truncate an item of the old
/// session). A transcript that never comes stops waiting after replay_query.
bool between_turns(const call_state& st) {
  bool transcript_due =
      st.caller_transcript_due_ms != 0 &&
      now_ms() - st.caller_transcript_due_ms < st.svc.cfg->call.replay_query.count();
  return st.openai && st.openai_ready && !st.response_active && st.pending_tools.empty() &&
         !st.caller_speaking && !transcript_due && !st.hangup_requested &&
         !(st.relay && st.relay->playing());
}

void poll_later(sup_ptr self) {
  self->delayed_send(self, between_turns_poll, recycle_atom::value, self->state.session_gen);
}

void drop_standby(sup_ptr self) {
  auto& st = self->state;
  if (st.standby)
    self->send_exit(st.standby, caf::exit_reason::user_shutdown);
  st.standby = nullptr;
  st.standby_ready = false;
}

/// The standby, with the conversation replayed, becomes the call's session.
void switch_over(sup_ptr self, const transcript_so_far& so_far) {
  auto& st = self->state;
  replay_conversation(self, st.standby, so_far);
  // After the replayed items in the standby's mailbox: it joins the audio
  // path only once they are on its socket.
  self->send(st.standby, take_over_atom::value);
  auto old = st.openai;
  st.openai = st.standby;
  st.standby = nullptr;
  st.standby_ready = false;
  st.standby_failures = 0;
  // Its down_msg finds no slot (on_child_down): closing it is the plan.
  if (old)
    self->send_exit(old, caf::exit_reason::user_shutdown);
  ++st.call.openai_recycles;
  if (st.svc.metrics)
    st.svc.metrics->openai_recycles.inc();
  log::info("RealtimeServer",
            "Call " + st.call.call_sid + " moved to a fresh OpenAI session (" +
                std::to_string(st.call.openai_recycles) + " so far)",
            st.svc.log);
  arm_session_limit(self);
}

void try_switch(sup_ptr self) {
  auto& st = self->state;
  if (st.switching)
    return;
  if (!between_turns(st))
    return poll_later(self);
  st.switching = true;
  int gen = st.session_gen;
  self->request(st.transcript, st.svc.cfg->call.replay_query, caf::get_atom::value)
      .then(
          [self, gen](transcript_so_far& so_far) {
            auto& st = self->state;
            st.switching = false;
            if (gen != st.session_gen || !st.standby || st.ending != end_reason::none)
              return;
            if (!between_turns(st)) // someone spoke meanwhile
              return poll_later(self);
            switch_over(self, so_far);
          },
          [self, gen](caf::error&) {
            self->state.switching = false;
            if (gen == self->state.session_gen)
              poll_later(self);
          });
}

} // namespace

void arm_session_limit(sup_ptr self) {
  auto& st = self->state;
  ++st.session_gen;
  drop_standby(self);
  st.switching = false;
  auto limit = st.svc.cfg->openai.session_max;
  // Looked at on the call's tick (on_call_tick, call_timers.cpp): a delayed
  // message would hold the supervisor for the whole limit after the call.
  st.session_limit_at_ms = limit.count() > 0 ? now_ms() + limit.count() : 0;
}

void on_recycle(sup_ptr self, int generation) {
  auto& st = self->state;
  if (generation != st.session_gen || st.ending != end_reason::none)
    return;
  if (!st.standby) {
    log::info("RealtimeServer",
              "OpenAI session of " + st.call.call_sid + " near its limit: opening a fresh one",
              st.svc.log);
    st.standby = spawn_openai(self, std::chrono::milliseconds{0}, true, true);
    return; // on_standby_ready goes on
  }
  if (st.standby_ready)
    try_switch(self);
}

void on_standby_ready(sup_ptr self) {
  auto& st = self->state;
  // A standby dropped meanwhile may still report: only the current one counts.
  if (!st.standby || self->current_sender() != caf::actor_cast<caf::strong_actor_ptr>(st.standby))
    return;
  st.standby_ready = true;
  try_switch(self);
}

void on_standby_down(sup_ptr self, const caf::error& reason) {
  auto& st = self->state;
  st.standby = nullptr;
  st.standby_ready = false;
  if (st.ending != end_reason::none)
    return;
  const auto& cfg = st.svc.cfg->openai;
  ++st.standby_failures;
  if (st.standby_failures > cfg.max_reconnects) {
    // The live session carries on; at the service's limit it drops, and the
    // reconnect path (on_openai_down) takes over.
    log::error("RealtimeServer",
               "No fresh OpenAI session for " + st.call.call_sid + " (" + describe(reason) +
                   "); staying on the current one",
               st.svc.log);
    return;
  }
  auto delay = cfg.reconnect_backoff * (1 << std::min(st.standby_failures - 1, 6));
  log::warn("RealtimeServer",
            "Standby OpenAI session of " + st.call.call_sid + " failed (" + describe(reason) +
                "); again in " + std::to_string(delay.count()) + " ms",
            st.svc.log);
  self->delayed_send(self, delay, recycle_atom::value, st.session_gen);
}

} // namespace sb::actors::detail
