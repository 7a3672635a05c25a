#pragma once
// Shared by the transfer and keypad end-to-end tests (issue 13 items 1-2):
// the business with a transfer number, scripts, and the reads they check.

#include "tests/call/call_fixture.hpp"

#include "sim/twilio_rest.hpp"

#include <rapidjson/document.h>

#include <string>
#include <thread>
#include <vector>

namespace sb::test {

inline const std::string transfer_number = "+15557654321";

/// The peer's model asks for a person after the caller's first utterance.
inline sim::scripted_function_call transfer_call(const std::string& reason) {
  return {"transfer_to_human", R"({"reason":")" + reason + R"("})"};
}

/// Options for a tenant with a transfer number, the REST stand-in, and short
/// keypad gaps so that tests need not wait 1.5 s per entry.
inline e2e_options transfer_options(std::vector<sim::call_script> scripts) {
  e2e_options o;
  o.scripts = std::move(scripts);
  o.rest_standin = true;
  o.tenant = [](storage::tenant& t) { t.transfer_number = transfer_number; };
  o.tune = [](config& c) { c.transfer.digit_gap = std::chrono::milliseconds{400}; };
  return o;
}

/// A turn that is never reached: the stream ends (a REST update) first.
inline sim::script_turn never_reached() {
  auto t = make_turn("Hello?", "caller_4", {}, "You're welcome. Goodbye!", "reply_4");
  t.pause_before_ms = 60'000;
  return t;
}

/// The job card once `pred` holds for it (bounded), else the last read.
template <class Pred>
std::optional<storage::job> job_when(e2e_env& env, const std::string& sid, Pred pred) {
  std::optional<storage::job> j;
  for (int i = 0; i < 200; ++i) {
    j = env.job(sid);
    if (j && pred(*j))
      return j;
    std::this_thread::sleep_for(50ms);
  }
  return j;
}

/// The client events the peer received of `type`.
inline std::vector<std::string> events_of(e2e_env& env, const std::string& type) {
  std::vector<std::string> out;
  for (auto& e : env.peer().client_events())
    if (event_type(e) == type)
      out.push_back(e);
  return out;
}

/// The pushes (JSON bodies) whose "type" is `type`.
inline std::vector<rapidjson::Document> pushes_of(e2e_env& env, const std::string& type) {
  std::vector<rapidjson::Document> out;
  for (const auto& body : env.pushes()) {
    rapidjson::Document d;
    d.Parse(body.c_str());
    if (!d.HasParseError() && d.IsObject() && d.HasMember("type") &&
        std::string{d["type"].GetString()} == type)
      out.push_back(std::move(d));
  }
  return out;
}

} // namespace sb::test
