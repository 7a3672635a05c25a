#include "actors/webhook_answer.hpp"

#include "common/log.hpp"
#include "common/time.hpp"
#include "metrics/switchboard_metrics.hpp"
#include "protocol/twiml.hpp"
#include "storage/location.hpp"

namespace sb::actors {

std::string stream_twiml(const config& cfg, const storage::call_record& c,
                         const storage::tenant& t) {
  return proto::twiml_connect_stream(
      cfg.stream_url(),
      {{"callSid", c.call_sid}, {"from", c.from}, {"to", c.to}, {"tenant", t.number}},
      cfg.call_next_url());
}

std::string not_set_up_twiml() {
  return proto::twiml_say_hangup("Sorry, this number is not set up to take calls yet. Goodbye.");
}

std::string unavailable_twiml() {
  return proto::twiml_say_hangup(
      "Sorry, we cannot take your call right now. Please try again later.");
}

std::string busy_twiml(const config& cfg) {
  return proto::twiml_say_hangup(cfg.limits.busy_message);
}

/// The voicemail TwiML: the prompt, a beep, <Record> (its recording status
/// comes to the recording route; the action, once it ends, says goodbye).
std::string voicemail_twiml(const config& cfg) {
  const auto& v = cfg.voicemail;
  proto::record_options r;
  r.max_length_s = v.max_length_s;
  r.finish_on_key = "#";
  r.recording_status_callback = cfg.recording_status_url();
  r.action = cfg.call_next_url() + "?after=voicemail";
  return proto::twiml_voicemail(v.prompt, r, v.goodbye);
}

bool over_limit_voicemail(const config& cfg) {
  return cfg.limits.over_limit_voicemail && cfg.voicemail.enabled;
}

std::string over_limit_twiml(const config& cfg) {
  return over_limit_voicemail(cfg) ? voicemail_twiml(cfg) : busy_twiml(cfg);
}

call_limits limits_for(const config& cfg, const storage::tenant& t) {
  call_limits l;
  l.server_concurrent = cfg.limits.max_calls;
  l.tenant_concurrent = t.max_concurrent > 0 ? t.max_concurrent : cfg.limits.tenant_max_concurrent;
  l.tenant_per_minute =
      t.calls_per_minute > 0 ? t.calls_per_minute : cfg.limits.tenant_calls_per_minute;
  return l;
}

admission_verdict admit_call(call_admission* admission, const config& cfg,
                             const storage::call_record& c, const storage::tenant& t,
                             metrics::switchboard_metrics* metrics) {
  if (!admission)
    return admission_verdict::admitted;
  auto v = admission->admit(c.call_sid, t.number, limits_for(cfg, t), now_ms());
  if (!rings_through(v))
    note_refused(c, t, v, metrics);
  return v;
}

bool cluster_limited(const config& cfg, const storage::tenant& t) {
  return limits_for(cfg, t).tenant_concurrent > 0 && storage::is_postgres_url(cfg.storage.path);
}

void note_refused(const storage::call_record& c, const storage::tenant& t, admission_verdict v,
                  metrics::switchboard_metrics* metrics) {
  // One line per refused call: a flood of *signed* calls is real callers,
  // each worth a line (unsigned ones never get here).
  log::warn("RealtimeHandler", "Call " + c.call_sid + " from " + c.from + " to " + t.number +
                                   " turned away: " + to_string(v));
  if (metrics)
    metrics->call_refused(to_string(v));
}

} // namespace sb::actors
