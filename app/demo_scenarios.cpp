#include "app/demo_scenarios.hpp"

#include <algorithm>
#include <chrono>

namespace sb::app::demo {

namespace {

using namespace std::chrono_literals;

// -- judging helpers: each returns "" when the outcome holds ------------------------

std::string all_calls_ok(const outcome& o) {
  for (std::size_t i = 0; i < o.results.size(); ++i)
    if (!o.results[i].ok)
      return "call " + std::to_string(i + 1) + " failed: " + o.results[i].error;
  return {};
}

std::string ended(const outcome& o, end_reason want) {
  if (!o.call)
    return "the call was not stored";
  if (o.call->end_reason != want)
    return "the call ended " + std::string{to_string(o.call->end_reason)} + ", not " +
           std::string{to_string(want)};
  return {};
}

std::string booked(const outcome& o) {
  if (!o.job)
    return "no job card was stored";
  if (o.job->status != "new")
    return "the job card is " + o.job->status + " (" + o.job->summary + "), not a complete booking";
  return {};
}

/// The caller left a message and the job card carries it.
std::string voicemail_left(const outcome& o) {
  const auto& r = o.results.back();
  if (std::find(r.verbs.begin(), r.verbs.end(), "Record") == r.verbs.end())
    return "the caller was never offered voicemail (<Record>)";
  if (!o.job || o.job->kind != "voicemail")
    return "the job card is not a voicemail";
  if (o.job->recording_url.empty() || o.job->recording_url != r.recording_url)
    return "the job card does not carry the recording the caller left";
  return {};
}

std::string first_of(std::initializer_list<std::string> reasons) {
  for (const auto& r : reasons)
    if (!r.empty())
      return r;
  return {};
}

// -- the scenarios ----------------------------------------------------------------------

scenario booking() {
  scenario s;
  s.name = "booking";
  s.summary = "a caller books a plumber: a complete job card (the default)";
  s.calls = [](const std::string& tomorrow) {
    return std::vector<placed_call>{{sim::demo_script(caller_number, tomorrow), 0, {}}};
  };
  s.check = [](const outcome& o) {
    return first_of({all_calls_ok(o), ended(o, end_reason::assistant_hangup), booked(o)});
  };
  return s;
}

scenario voicemail() {
  scenario s;
  s.name = "voicemail";
  s.summary = "OpenAI cannot be reached at set-up: the caller leaves a voicemail";
  s.calls = [](const std::string& tomorrow) {
    return std::vector<placed_call>{{sim::demo_script(caller_number, tomorrow), 0,
                                     [](sim::caller_options& c) { c.expect_stream_cut = true; }}};
  };
  s.peer = [](sim::peer_options& p) { p.refuse_connections = true; };
  s.tune = [](config& c) { // give up on OpenAI within about a second
    c.openai.max_reconnects = 1;
    c.openai.reconnect_backoff = 100ms;
    c.openai.connect_timeout = 2000ms;
  };
  s.pushes = 2; // the job card, then the recording on it
  s.check = [](const outcome& o) {
    return first_of({all_calls_ok(o), ended(o, end_reason::openai_unavailable), voicemail_left(o)});
  };
  return s;
}

scenario busy() {
  scenario s;
  s.name = "busy";
  s.summary = "the business is at its limit (one line): a second caller leaves a voicemail";
  s.calls = [](const std::string& tomorrow) {
    auto second = sim::demo_script("+15557650002", tomorrow);
    return std::vector<placed_call>{{sim::demo_script(caller_number, tomorrow), 0, {}},
                                    {second, 6'000, {}}};
  };
  s.tenant = [](storage::tenant& t) { t.max_concurrent = 1; };
  s.pushes = 3; // the first call's job card; the second's, then its recording
  s.check = [](const outcome& o) {
    return first_of({all_calls_ok(o), ended(o, end_reason::over_limit), voicemail_left(o)});
  };
  return s;
}

scenario barge_in() {
  scenario s;
  s.name = "barge-in";
  s.summary = "the caller talks over the assistant: its reply is cut where the caller was";
  s.calls = [](const std::string& tomorrow) {
    auto script = sim::demo_script(caller_number, tomorrow);
    script.turns.back().barge_in_after_ms = 1'500; // "Great, thank you. Bye." over reply 3
    return std::vector<placed_call>{{script, 0, {}}};
  };
  s.check = [](const outcome& o) {
    auto cut = std::find_if(o.turns.begin(), o.turns.end(),
                            [](const storage::transcript_turn& t) { return t.truncated; });
    if (auto e = first_of({all_calls_ok(o), ended(o, end_reason::assistant_hangup), booked(o)});
        !e.empty())
      return e;
    if (o.results[0].clears_received < 1)
      return std::string{"the caller's audio was never cleared"};
    if (cut == o.turns.end())
      return std::string{"no assistant turn is stored as cut"};
    return std::string{};
  };
  return s;
}

} // namespace

const std::vector<scenario>& scenarios() {
  static const std::vector<scenario> all{booking(), voicemail(), busy(), barge_in()};
  return all;
}

const scenario* find_scenario(std::string_view name) {
  for (const auto& s : scenarios())
    if (s.name == name)
      return &s;
  return nullptr;
}

} // namespace sb::app::demo
