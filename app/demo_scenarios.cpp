#include "app/demo_scenarios.hpp"

#include "app/demo_cluster.hpp"
#include "app/demo_crash.hpp"

#include <algorithm>
#include <chrono>

#include <rapidjson/document.h>

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

/// The caller was put through (`reason`), the person answered or not.
std::string transferred(const outcome& o, const std::string& reason, bool answered) {
  if (!o.job)
    return "no job card was stored";
  const auto& t = o.job->transfer;
  if (t.reason != reason)
    return "the job card's transfer reason is '" + t.reason + "', not '" + reason + "'";
  if (t.human_answered() != answered)
    return "the job card says " + t.describe();
  if (o.rest.size() != 1 || o.rest[0].status != 200)
    return "the bridge did not make exactly one accepted REST update (<Dial>)";
  return {};
}

// -- scripts ---------------------------------------------------------------------------

sim::script_turn turn(std::string text, std::string clip,
                      std::vector<sim::scripted_function_call> calls, std::string reply,
                      std::string reply_clip) {
  sim::script_turn t;
  t.caller_text = std::move(text);
  t.caller_clip = std::move(clip);
  t.calls = std::move(calls);
  t.reply_text = std::move(reply);
  t.reply_clip = std::move(reply_clip);
  return t;
}

/// The leaking sink, then the caller asks for a person (`keys`: by the
/// transfer key instead of words). The stream ends with the transfer: the
/// last turn is never reached.
sim::call_script asks_for_a_person(bool by_key) {
  sim::call_script s;
  s.caller_number = caller_number;
  s.assistant_hangs_up = false;
  s.turns.push_back(
      turn("Hi, my kitchen sink is leaking under the cabinet.", "caller_1",
           {{"record_booking_details", R"({"service":"Leaking kitchen sink","urgency":"urgent"})"}},
           "I'm sorry to hear that. Can I get your name and the address?", "reply_1"));
  if (by_key) {
    auto keys = turn("", "", {}, "Of course. I'll put you through to someone now.", "handover");
    keys.dtmf = "0";
    s.turns.push_back(keys);
  } else {
    s.turns.push_back(turn("Actually, can I speak to a person, please?", "caller_person",
                           {{"transfer_to_human", R"({"reason":"caller asked for a person"})"}},
                           "Of course. I'll put you through to someone now.", "handover"));
  }
  auto never = turn("Hello?", "caller_4", {}, "You're welcome. Goodbye!", "reply_4");
  never.pause_before_ms = 60'000;
  s.turns.push_back(never);
  return s;
}

/// The business takes transfers (at any hour: the demo runs whenever).
void takes_transfers(storage::tenant& t) {
  t.transfer_number = "+15557000111";
  t.transfer_after_hours = true;
}

/// A booking call to be killed in: the problem (recorded at once: write
/// ahead), then the caller's name and address (recorded too), then the
/// time, then goodbye and the assistant hangs up. The clips are the demo
/// booking's; the transcript names each caller.
sim::call_script crash_script(const std::string& number, const std::string& customer,
                              const std::string& tomorrow) {
  sim::call_script s;
  s.caller_number = number;
  s.greeting_clip = "one_moment";
  const std::string first = customer.substr(0, customer.find(' '));
  s.turns.push_back(
      turn("Hi, my kitchen sink is leaking under the cabinet.", "caller_1",
           {{"record_booking_details",
             R"({"service":"Leaking kitchen sink","urgency":"urgent","callback_phone":")" + number +
                 R"("})"}},
           "I'm sorry to hear that. Can I get your name and the address?", "reply_1"));
  s.turns.push_back(
      turn("Sure, I'm " + customer + ", at 7 Crash Road, Springfield.", "caller_2",
           {{"record_booking_details",
             R"({"customer_name":")" + customer + R"(","address":"7 Crash Road, Springfield"})"}},
           "Thanks, " + first + ". When would you like us to come?", "reply_2"));
  s.turns.push_back(turn("Tomorrow at ten in the morning, if possible.", "caller_3",
                         {{"record_booking_details",
                           R"({"preferred_date":")" + tomorrow + R"(","preferred_time":"10:00"})"}},
                         "Tomorrow at ten works. You are booked, and we will call you back at "
                         "this number.",
                         "reply_3"));
  s.turns.push_back(
      turn("Great, thank you. Bye.", "caller_4", {}, "You're welcome. Goodbye!", "reply_4"));
  return s;
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

scenario idle() {
  scenario s;
  s.name = "idle";
  s.summary = "the caller goes silent: asked \"are you still there?\", then the call ends";
  s.calls = [](const std::string&) {
    sim::call_script script;
    script.caller_number = caller_number;
    script.assistant_hangs_up = false;
    script.stays_on_line = true;
    script.turns.push_back(turn(
        "Hi, my kitchen sink is leaking under the cabinet.", "caller_1",
        {{"record_booking_details", R"({"service":"Leaking kitchen sink","urgency":"urgent"})"}},
        "I'm sorry to hear that. Can I get your name and the address?", "reply_1"));
    return std::vector<placed_call>{{script, 0, {}}};
  };
  s.tenant = [](storage::tenant& t) { t.silence_ms = 4'000; }; // the default is 20 s
  s.check = [](const outcome& o) {
    if (auto e = first_of({all_calls_ok(o), ended(o, end_reason::caller_silent)}); !e.empty())
      return e;
    if (!o.job || o.job->details.service.empty())
      return std::string{"the job card lost what the caller said before going silent"};
    return std::string{};
  };
  return s;
}

scenario transfer(std::string name, std::string summary, bool by_key, bool answers) {
  scenario s;
  s.name = std::move(name);
  s.summary = std::move(summary);
  s.calls = [by_key, answers](const std::string&) {
    return std::vector<placed_call>{
        {asks_for_a_person(by_key), 0, [answers](sim::caller_options& c) {
           c.human.answers = answers;
           c.human.answer_after_ms = 1'500;
           c.human.talk_ms = 3'000;
           c.human.no_answer_after_ms = 4'000;
         }}};
  };
  s.tenant = takes_transfers;
  // The card, its update with the <Dial> outcome, and (nobody answered) the recording.
  s.pushes = answers ? 2 : 3;
  s.check = [by_key, answers](const outcome& o) {
    const std::string reason = by_key ? "dtmf" : "tool: caller asked for a person";
    return first_of({all_calls_ok(o), ended(o, end_reason::transferred),
                     transferred(o, reason, answers), answers ? "" : voicemail_left(o)});
  };
  return s;
}

/// The first client event of `type` whose text holds `needle`, as sent.
bool sent(const outcome& o, std::string_view type, std::string_view needle) {
  const std::string tag = "\"type\":\"" + std::string{type} + "\"";
  return std::any_of(o.openai_events.begin(), o.openai_events.end(), [&](const std::string& e) {
    return e.find(tag) != std::string::npos && e.find(needle) != std::string::npos;
  });
}

/// The analysis summary on the job card ("" when none).
std::string card_summary(const outcome& o) {
  if (!o.job || o.job->analysis.empty())
    return {};
  rapidjson::Document d;
  d.Parse(o.job->analysis.c_str());
  auto m = d.IsObject() ? d.FindMember("summary") : d.MemberEnd();
  return d.IsObject() && m != d.MemberEnd() && m->value.IsString() ? m->value.GetString() : "";
}

const std::string spanish_greeting = "Gracias por llamar a Fontanería Brillante. Soy la "
                                     "recepcionista virtual. ¿En qué puedo ayudarle?";

/// Issue 17.1: a Spanish business, a caller who speaks Spanish.
scenario spanish() {
  scenario s;
  s.name = "spanish";
  s.summary = "a Spanish-speaking business: greeted, transcribed and summarised in Spanish";
  s.calls = [](const std::string& tomorrow) {
    return std::vector<placed_call>{{sim::spanish_script(caller_number, tomorrow), 0, {}}};
  };
  s.tenant = [](storage::tenant& t) {
    t.name = "Fontanería Brillante";
    t.language = "es";
    t.greetings["es"] = spanish_greeting; // t.greeting stays the English one
  };
  s.check = [](const outcome& o) {
    if (auto e = first_of({all_calls_ok(o), ended(o, end_reason::assistant_hangup), booked(o)});
        !e.empty())
      return e;
    if (o.call->language != "es" || o.job->language != "es")
      return "the call's language is stored as '" + o.call->language + "' (job card: '" +
             o.job->language + "'), not 'es'";
    // "language" appears in session.update only as audio.input.transcription's.
    if (!sent(o, "session.update", R"("language":"es")"))
      return std::string{"no session.update set the input transcription's language to es"};
    if (!sent(o, "response.create", spanish_greeting))
      return std::string{"the Spanish greeting was never asked for"};
    const auto want = sim::spanish_script(caller_number, "").summaries.at("es");
    if (card_summary(o) != want)
      return "the job card's summary is not in the business's language (es): '" + card_summary(o) +
             "'";
    return std::string{};
  };
  return s;
}

scenario crash() {
  scenario s;
  s.name = "crash";
  s.summary = "the server is SIGKILLed mid-call and restarted: callers picked up again";
  s.calls = [](const std::string& tomorrow) {
    std::vector<placed_call> calls;
    for (std::size_t i = 0; i < crash_callers().size(); ++i)
      calls.push_back(crash_call(i, crash_callers()[i], tomorrow, static_cast<int>(i) * 300));
    return calls;
  };
  s.tune = [](config& c) { c.resume.grace = 3'000ms; }; // the caller not back: finalized after 3 s
  s.pushes = crash_callers().size();
  s.run = [](const scenario& sc, const std::string& dir, std::size_t) {
    return run_crash_demo(sc, dir);
  };
  return s;
}

/// The crash scenario's calls on three nodes behind HAProxy (issue 16.4).
scenario cluster() {
  scenario s = crash();
  s.name = "cluster";
  s.summary = "three nodes on PostgreSQL behind HAProxy; one is SIGKILLed mid-call and its "
              "callers are picked up by a survivor";
  s.default_calls = crash_callers().size(); // --calls N: more (app/demo_cluster.hpp)
  s.run = [](const scenario& sc, const std::string& dir, std::size_t calls) {
    return run_cluster_demo(sc, dir, calls);
  };
  return s;
}

} // namespace

placed_call crash_call(std::size_t i, const crash_caller& who, const std::string& tomorrow,
                       int start_after_ms) {
  placed_call c{crash_script(crash_caller_number(i), who.customer, tomorrow), start_after_ms, {}};
  if (who.comes_back)
    c.adjust = [](sim::caller_options& o) {
      o.follow_resume = true;    // Twilio runs the <Redirect> after </Connect>
      o.redirect_retry_ms = 100; // and tries it again while the server is down
    };
  // else: the <Redirect> finds the server down and the caller hangs up
  return c;
}

std::string crash_caller_number(std::size_t i) {
  return "+1555765" + std::to_string(1001 + i % 8999); // all 12 characters long
}

const std::vector<crash_caller>& crash_callers() {
  static const std::vector<crash_caller> all{
      {"Ann Alder", true}, {"Ben Birch", true}, {"Cy Cedar", false}};
  return all;
}

const std::vector<scenario>& scenarios() {
  static const std::vector<scenario> all{
      booking(),
      transfer("transfer", "the caller asks for a person: put through, a person answers", false,
               true),
      transfer("transfer-noanswer", "the caller asks for a person; nobody answers: voicemail",
               false, false),
      transfer("dtmf", "the caller presses 0: put through to a person, who answers", true, true),
      voicemail(),
      busy(),
      idle(),
      barge_in(),
      spanish(),
      crash(),
      cluster()};
  return all;
}

const scenario* find_scenario(std::string_view name) {
  for (const auto& s : scenarios())
    if (s.name == name)
      return &s;
  return nullptr;
}

} // namespace sb::app::demo
