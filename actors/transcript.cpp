#include "actors/transcript.hpp"

#include "actors/introspect.hpp"
#include "common/log.hpp"
#include "common/time.hpp"

#include <caf/all.hpp>

#include <map>

namespace sb::actors {

namespace {

struct transcript_state {
  services svc;
  std::string call_sid;
  std::vector<storage::transcript_turn> turns;
  std::map<std::string, std::size_t> by_item;            ///< assistant item -> index in turns
  std::map<std::string, assistant_truncated> early_cuts; ///< cut before its transcript arrived
  int writes_pending = 0;
  std::vector<caf::typed_response_promise<flushed_atom>> flush_waiters;
  actor_stats stats;
  static inline const char* name = "transcript";
};

using self_ptr = transcript_actor::stateful_pointer<transcript_state>;

void settle(self_ptr self) {
  if (self->state.writes_pending > 0)
    return;
  for (auto& p : self->state.flush_waiters)
    p.deliver(flushed_atom::value);
  self->state.flush_waiters.clear();
}

void persist(self_ptr self, const storage::transcript_turn& t) {
  ++self->state.writes_pending;
  ++self->state.stats.out;
  self->request(self->state.svc.storage, self->state.svc.cfg->call.storage_write, append_turn{t})
      .then(
          [self](stored_atom) {
            --self->state.writes_pending;
            settle(self);
          },
          [self](caf::error& e) {
            log::error("Transcript",
                       "A turn of " + self->state.call_sid +
                           " was not stored: " + caf::to_string(e),
                       self->state.svc.log);
            --self->state.writes_pending;
            settle(self);
          });
}

/// Cuts `t` to what the caller heard; its full text stays for review. The
/// console's line for the reply shows both (the unheard part muted).
void apply_cut(self_ptr self, storage::transcript_turn& t, const std::string& item_id,
               const assistant_truncated& cut) {
  t.text = heard_part(t.full_text, cut.heard_ms, cut.sent_ms);
  t.truncated = true;
  const auto& svc = self->state.svc;
  if (!svc.introspection)
    return;
  auto keep = heard_length(t.full_text, cut.heard_ms, cut.sent_ms);
  auto unheard = t.full_text.substr(keep);
  if (!unheard.empty() && unheard.front() == ' ')
    unheard.erase(0, 1);
  ++self->state.stats.out;
  self->send(svc.introspection,
             call_line{self->state.call_sid, "assistant", t.full_text.substr(0, keep), t.latency_ms,
                       now_ms(), item_id, std::move(unheard)});
}

storage::transcript_turn& add_turn(self_ptr self, speaker role, std::string text, int64_t started,
                                   int64_t ended) {
  storage::transcript_turn t;
  t.call_sid = self->state.call_sid;
  t.seq = static_cast<int>(self->state.turns.size());
  t.role = role;
  t.text = std::move(text);
  t.full_text = t.text;
  t.started_at_ms = started;
  t.ended_at_ms = ended;
  self->state.turns.push_back(std::move(t));
  return self->state.turns.back();
}

transcript_actor::behavior_type transcript(self_ptr self, services svc, std::string call_sid,
                                           std::vector<storage::transcript_turn> so_far) {
  self->state.svc = std::move(svc);
  self->state.call_sid = std::move(call_sid);
  self->state.turns = std::move(so_far);
  auto state_of = [self] {
    auto n = self->state.writes_pending;
    return n > 0 ? "writing " + std::to_string(n)
                 : std::to_string(self->state.turns.size()) + " turns";
  };
  return introspected<transcript_actor::behavior_type>(
      self, self->state.svc, "transcript", &self->state.stats, state_of,
      [self](caller_said& m) {
        persist(self,
                add_turn(self, speaker::caller, std::move(m.text), m.started_at_ms, m.ended_at_ms));
      },
      [self](assistant_said& m) {
        auto& t =
            add_turn(self, speaker::assistant, std::move(m.text), m.started_at_ms, m.ended_at_ms);
        t.latency_ms = m.latency_ms;
        t.bridge_latency_ms = m.bridge_latency_ms;
        self->state.by_item[m.item_id] = self->state.turns.size() - 1;
        if (auto it = self->state.early_cuts.find(m.item_id); it != self->state.early_cuts.end()) {
          apply_cut(self, t, m.item_id, it->second);
          self->state.early_cuts.erase(it);
        }
        persist(self, t);
      },
      [self](assistant_truncated& m) {
        auto it = self->state.by_item.find(m.item_id);
        if (it == self->state.by_item.end()) {
          // The transcript of the cut item has not arrived yet.
          self->state.early_cuts[m.item_id] = m;
          return;
        }
        auto& t = self->state.turns[it->second];
        apply_cut(self, t, m.item_id, m);
        persist(self, t); // stored again under the same seq, now with both texts
      },
      [self](caf::get_atom) { return transcript_so_far{self->state.turns}; },
      [self](flush_atom) -> caf::typed_response_promise<flushed_atom> {
        auto p = self->make_response_promise<flushed_atom>();
        if (self->state.writes_pending == 0)
          p.deliver(flushed_atom::value);
        else
          self->state.flush_waiters.push_back(p);
        return p;
      });
}

} // namespace

std::size_t heard_length(const std::string& text, int64_t heard_ms, int64_t sent_ms) {
  if (sent_ms <= 0 || heard_ms >= sent_ms)
    return text.size();
  if (heard_ms <= 0)
    return 0;
  auto keep =
      static_cast<std::size_t>(static_cast<double>(text.size()) * static_cast<double>(heard_ms) /
                               static_cast<double>(sent_ms));
  if (keep >= text.size())
    return text.size();
  // Back up to the end of the last whole word.
  while (keep > 0 && text[keep] != ' ')
    --keep;
  return keep;
}

std::string heard_part(const std::string& text, int64_t heard_ms, int64_t sent_ms) {
  auto keep = heard_length(text, heard_ms, sent_ms);
  if (keep == text.size())
    return text;
  return text.substr(0, keep) + (keep > 0 ? "..." : "");
}

transcript_actor spawn_transcript(caf::local_actor* parent, services svc, std::string call_sid,
                                  std::vector<storage::transcript_turn> so_far) {
  // Linked: it dies with its supervisor (actors/call_supervisor.hpp).
  return parent->spawn<caf::monitored + caf::linked>(transcript, std::move(svc),
                                                     std::move(call_sid), std::move(so_far));
}

} // namespace sb::actors
