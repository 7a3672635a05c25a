#include "app/admin_commands.hpp"
#include "common/time.hpp"
#include "receptionist/ics.hpp"
#include "receptionist/languages.hpp"

#include "app/admin_text.hpp"
#include "app/tenant_update.hpp"
#include "storage/store.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>
#include <vector>

namespace sb::app {

namespace {

using namespace text;

// -- validation ---------------------------------------------------------------

/// ^\+[1-9][0-9]{6,14}$: E.164 allows at most 15 digits and no leading 0
/// (ITU-T E.164); fewer than 7 digits is no phone number anyone rents.
bool is_e164(const std::string& s) {
  if (s.size() < 8 || s.size() > 16 || s[0] != '+' || s[1] < '1' || s[1] > '9')
    return false;
  return std::all_of(s.begin() + 1, s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_http_url(const std::string& s) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (s.size() > scheme.size() && s.compare(0, scheme.size(), scheme) == 0)
      return true;
  }
  return false;
}

std::string or_dash(const std::string& s) {
  return s.empty() ? "-" : s;
}

// -- commands -----------------------------------------------------------------

/// Everything the options bind to; shared by the callbacks, which the App
/// owns, so it lives as long as the App.
struct args {
  storage::tenant tenant;
  std::string number;
  int limit = 20;
  std::string job_id;
  bool ics = false;     ///< jobs show --ics: the booked slot as iCalendar
  int slot_minutes = 0; ///< its length; 0: the tenant's (else 60, [tools] slot_minutes' default)
  // Timeouts in seconds on the command line, stored in ms (0: config default).
  int max_call_s = 0;
  int silence_s = 0;
  int stream_attach_s = 0;
  std::vector<std::string> greetings_for; ///< --greeting-for CODE=TEXT, repeated
};

struct context {
  std::function<std::string()> db_path;
  int& exit_code;

  /// 2: the command line was wrong.
  void usage_error(const std::string& message) {
    std::cerr << "error: " << message << '\n';
    exit_code = 2;
  }
  /// 1: the operation failed.
  void failure(const std::string& message) {
    std::cerr << "error: " << message << '\n';
    exit_code = 1;
  }
  std::unique_ptr<storage::store> open() {
    auto s = storage::store::open(db_path());
    if (!s) {
      failure(s.err().message);
      return nullptr;
    }
    return std::move(*s);
  }
};

void tenants_add(context& cx, const storage::tenant& t) {
  if (!is_e164(t.number))
    return cx.usage_error("tenants add: --number must be E.164, like +15551230000 (got '" +
                          t.number + "')");
  if (t.name.empty())
    return cx.usage_error("tenants add: --name is required");
  if (!t.push_url.empty() && !is_http_url(t.push_url))
    return cx.usage_error("tenants add: --push-url must start with http:// or https:// (got '" +
                          t.push_url + "')");
  if (t.hours.empty())
    return cx.usage_error("tenants add: --hours must not be empty");
  if (auto s = receptionist::check_languages(t); !s)
    return cx.usage_error("tenants add: " + s.err().message);
  if (auto why = check_slot_options(t.slot_minutes, t.slot_capacity); !why.empty())
    return cx.usage_error("tenants add: " + why);
  auto db = cx.open();
  if (!db)
    return;
  if (auto s = db->add_tenant(t); !s)
    return cx.failure(s.err().message);
  std::cout << "added tenant " << t.number << " (" << t.name << ")\n";
  cx.exit_code = 0;
}

void tenants_list(context& cx) {
  auto db = cx.open();
  if (!db)
    return;
  auto all = db->list_tenants();
  if (!all)
    return cx.failure(all.err().message);
  if (all->empty()) {
    std::cout << "no tenants\n";
  } else {
    std::vector<std::vector<std::string>> rows;
    for (const auto& t : *all)
      rows.push_back({t.number, cell(t.name), cell(or_dash(t.push_url), 60)});
    print_table(std::cout, {"NUMBER", "NAME", "PUSH URL"}, rows);
  }
  cx.exit_code = 0;
}

void tenants_remove(context& cx, const std::string& number) {
  if (!is_e164(number))
    return cx.usage_error("tenants remove: --number must be E.164, like +15551230000 (got '" +
                          number + "')");
  auto db = cx.open();
  if (!db)
    return;
  auto removed = db->remove_tenant(number);
  if (!removed)
    return cx.failure(removed.err().message);
  if (!*removed)
    return cx.failure("tenants remove: no tenant with number " + number);
  std::cout << "removed tenant " << number << '\n';
  cx.exit_code = 0;
}

void calls_list(context& cx, int limit) {
  if (limit <= 0)
    return cx.usage_error("calls list: --limit must be positive");
  auto db = cx.open();
  if (!db)
    return;
  auto calls = db->list_calls(limit);
  if (!calls)
    return cx.failure(calls.err().message);
  if (calls->empty()) {
    std::cout << "no calls\n";
    cx.exit_code = 0;
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& c : *calls) {
    auto turns = db->turns_for(c.call_sid);
    if (!turns)
      return cx.failure(turns.err().message);
    int64_t from = c.answered_at_ms > 0 ? c.answered_at_ms : c.started_at_ms;
    rows.push_back({c.call_sid, or_dash(c.tenant_number), or_dash(c.from), when(c.started_at_ms),
                    c.ended_at_ms > 0 ? duration(c.ended_at_ms - from) : "-",
                    std::string{to_string(c.status)}, cell(or_dash(storage::end_reason_text(c))),
                    std::to_string(turns->size()), usd(c.cost_usd)});
  }
  print_table(std::cout,
              {"CALL SID", "TENANT", "FROM", "STARTED", "DURATION", "STATUS", "END REASON", "TURNS",
               "COST"},
              rows);
  cx.exit_code = 0;
}

std::string preferred(const storage::booking& b) {
  std::string s = b.preferred_date;
  if (!b.preferred_time.empty())
    s += (s.empty() ? "" : " ") + b.preferred_time;
  return or_dash(s);
}

void jobs_list(context& cx, int limit) {
  if (limit <= 0)
    return cx.usage_error("jobs list: --limit must be positive");
  auto db = cx.open();
  if (!db)
    return;
  auto jobs = db->list_jobs(limit);
  if (!jobs)
    return cx.failure(jobs.err().message);
  if (jobs->empty()) {
    std::cout << "no jobs\n";
  } else {
    std::vector<std::vector<std::string>> rows;
    for (const auto& j : *jobs)
      rows.push_back({std::to_string(j.id), when(j.created_at_ms), or_dash(j.caller),
                      cell(or_dash(j.details.customer_name), 24),
                      cell(or_dash(j.details.service), 32), preferred(j.details),
                      or_dash(j.details.urgency), j.status});
    print_table(
        std::cout,
        {"ID", "CREATED", "CALLER", "CUSTOMER", "SERVICE", "PREFERRED", "URGENCY", "STATUS"}, rows);
  }
  cx.exit_code = 0;
}

void print_transcript(const std::vector<storage::transcript_turn>& turns, int64_t t0) {
  std::cout << "\nTranscript (" << turns.size() << (turns.size() == 1 ? " turn" : " turns")
            << ")\n";
  if (turns.empty())
    return;
  if (t0 <= 0)
    t0 = turns.front().started_at_ms;
  for (const auto& t : turns) {
    int64_t s = std::max<int64_t>(0, (t.started_at_ms - t0) / 1000);
    char stamp[48];
    std::snprintf(stamp, sizeof stamp, "%02lld:%02lld", static_cast<long long>(s / 60),
                  static_cast<long long>(s % 60));
    std::cout << "  [" << stamp << "] " << t.role << ": " << indented(t.text, 4);
    if (t.truncated)
      std::cout << " [cut off]";
    if (t.truncated && t.full_text != t.text && !t.full_text.empty())
      std::cout << "\n          generated, not all heard: " << indented(t.full_text, 10);
    if (t.latency_ms >= 0)
      std::cout << " (latency " << t.latency_ms << " ms)";
    std::cout << '\n';
  }
}

/// The card's slot as RFC 5545 iCalendar on stdout (receptionist/ics.hpp).
void print_ics(context& cx, storage::store& db, const storage::job& j, int slot_minutes) {
  if (slot_minutes <= 0) { // the tenant's slot length, else [tools] slot_minutes' default
    auto t = db.find_tenant(j.tenant_number);
    slot_minutes = t && *t ? (*t)->slot_length(60) : 60;
  }
  auto ics = receptionist::job_ics(j, j.tenant_number, slot_minutes, now_ms());
  if (ics.empty())
    return cx.failure("jobs show: job " + std::to_string(j.id) + " has no booked date and time");
  std::cout << ics;
  cx.exit_code = 0;
}

void jobs_show(context& cx, const std::string& id_text, bool ics, int slot_minutes) {
  auto digits =
      !id_text.empty() && id_text.size() < 19 &&
      std::all_of(id_text.begin(), id_text.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!digits)
    return cx.usage_error("jobs show: ID must be a job number (got '" + id_text + "')");
  int64_t id = std::stoll(id_text);
  auto db = cx.open();
  if (!db)
    return;
  auto found = db->get_job(id);
  if (!found)
    return cx.failure(found.err().message);
  if (!found->has_value())
    return cx.failure("jobs show: no job with id " + id_text);
  const storage::job& j = **found;
  if (ics)
    return print_ics(cx, *db, j, slot_minutes);
  const storage::booking& b = j.details;
  std::vector<std::pair<std::string, std::string>> card{{"Caller", j.caller},
                                                        {"Customer name", b.customer_name},
                                                        {"Callback phone", b.callback_phone},
                                                        {"Service", b.service},
                                                        {"Address", b.address},
                                                        {"Preferred", preferred(b)},
                                                        {"Urgency", b.urgency},
                                                        {"Notes", b.notes},
                                                        {"Status", j.status},
                                                        {"Summary", j.summary},
                                                        {"Tenant", j.tenant_number},
                                                        {"Call SID", j.call_sid},
                                                        {"Cost", usd(j.cost_usd)},
                                                        {"Created", when(j.created_at_ms)}};
  if (j.kind != "call")
    card.emplace_back("Kind", j.kind);
  if (j.transfer.transferred())
    card.emplace_back("Transfer", j.transfer.describe());
  if (!j.language.empty())
    card.emplace_back("Language", j.language);
  if (!j.analysis.empty())
    card.emplace_back("Analysis", j.analysis);
  if (!j.recording_url.empty())
    card.emplace_back("Recording",
                      j.recording_url + " (" + std::to_string(j.recording_duration_s) + " s)");
  std::cout << "Job " << j.id << '\n';
  for (const auto& [label, value] : card)
    std::cout << "  " << label << ':' << std::string(16 - label.size(), ' ')
              << indented(or_dash(value), 19) << '\n';
  auto call = db->get_call(j.call_sid);
  auto turns = db->turns_for(j.call_sid);
  if (!call || !turns)
    return cx.failure(!call ? call.err().message : turns.err().message);
  int64_t t0 = 0;
  if (call->has_value())
    t0 = (*call)->answered_at_ms > 0 ? (*call)->answered_at_ms : (*call)->started_at_ms;
  print_transcript(*turns, t0);
  cx.exit_code = 0;
}

} // namespace

void add_admin_commands(CLI::App& app, std::function<std::string()> db_path, int& exit_code) {
  auto a = std::make_shared<args>();
  auto cx = std::make_shared<context>(context{std::move(db_path), exit_code});

  auto* tenants = app.add_subcommand("tenants", "Manage the businesses this server answers for");
  tenants->require_subcommand(1);
  auto* add = tenants->add_subcommand("add", "Add a tenant (a Twilio number and its business)");
  storage::tenant& t = a->tenant;
  add->add_option("--number", t.number, "The tenant's Twilio number, E.164 (required)");
  add->add_option("--name", t.name, "Business name (required)");
  add->add_option("--greeting", t.greeting, "The first thing callers hear");
  add->add_option("--context", t.context, "Business context for the assistant");
  add->add_option("--timezone", t.timezone, "IANA time zone")->capture_default_str();
  add->add_option("--language", t.language,
                  "The business's own language, ISO 639-1: calls are greeted in it and job "
                  "card summaries written in it")
      ->capture_default_str();
  add->add_option("--languages", t.languages,
                  "Other languages it serves, comma-separated (e.g. es,fr): the assistant "
                  "answers callers in theirs")
      ->delimiter(',');
  add->add_option("--greeting-for", a->greetings_for,
                  "A greeting in one language, CODE=TEXT (repeat per language; default: "
                  "--greeting)");
  add->add_option("--voice", t.voice, "Realtime voice (default: from config)");
  add->add_option("--push-url", t.push_url, "http(s) URL that job cards are POSTed to");
  add->add_option("--hours", t.hours, "Business hours")->capture_default_str();
  add->add_option("--max-concurrent", t.max_concurrent,
                  "Calls at once; more hear the busy message (0: config limits)")
      ->check(CLI::NonNegativeNumber);
  add->add_option("--calls-per-minute", t.calls_per_minute,
                  "Calls admitted in any 60 s (0: config limits)")
      ->check(CLI::NonNegativeNumber);
  add->add_option("--transfer-number", t.transfer_number,
                  "Where a caller asking for a person is put through, E.164 (empty: no transfers)");
  add->add_option("--transfer-after-hours", t.transfer_after_hours,
                  "Transfer outside --hours too (true/false)")
      ->capture_default_str();
  add->add_option("--transfer-message", t.transfer_message,
                  "What the assistant says before transferring (default: config transfer.message)");
  add->add_flag("--record", t.record,
                "Record its calls on our side (the consent sentence is said first; "
                "[recording] in the config)");
  add->add_option("--max-call-s", a->max_call_s,
                  "The longest call, in seconds: warned, then wrapped up (0: config timeouts)")
      ->check(CLI::NonNegativeNumber);
  add->add_option("--silence-s", a->silence_s,
                  "Caller silence before \"are you still there?\", and again before the call "
                  "ends, in seconds (0: config timeouts)")
      ->check(CLI::NonNegativeNumber);
  add->add_option("--stream-attach-s", a->stream_attach_s,
                  "The Media Stream must attach within this many seconds (0: config twilio)")
      ->check(CLI::NonNegativeNumber);
  add->add_option("--slot-minutes", t.slot_minutes,
                  "One booking's length in minutes (0: config tools.slot_minutes)")
      ->capture_default_str();
  add->add_option("--slot-capacity", t.slot_capacity,
                  "How many bookings one slot takes (check_availability counts them)")
      ->capture_default_str();
  add->callback([a, cx] {
    a->tenant.max_call_ms = 1000LL * a->max_call_s;
    a->tenant.silence_ms = 1000LL * a->silence_s;
    a->tenant.stream_attach_ms = 1000LL * a->stream_attach_s;
    for (const auto& g : a->greetings_for)
      if (auto s = receptionist::add_greeting(a->tenant, g); !s)
        return cx->usage_error("tenants add: --greeting-for: " + s.err().message);
    tenants_add(*cx, a->tenant);
  });

  tenants->add_subcommand("list", "List tenants")->callback([cx] { tenants_list(*cx); });

  auto* remove = tenants->add_subcommand("remove", "Remove a tenant");
  remove->add_option("--number", a->number, "The tenant's number, E.164 (required)");
  remove->callback([a, cx] { tenants_remove(*cx, a->number); });
  add_tenant_update(*tenants, cx->db_path, cx->exit_code);

  auto* calls = app.add_subcommand("calls", "Inspect calls");
  calls->require_subcommand(1);
  auto* calls_ls = calls->add_subcommand("list", "Recent calls, newest first");
  calls_ls->add_option("--limit", a->limit, "How many")->capture_default_str();
  calls_ls->callback([a, cx] { calls_list(*cx, a->limit); });

  auto* jobs = app.add_subcommand("jobs", "Inspect job cards");
  jobs->require_subcommand(1);
  auto* jobs_ls = jobs->add_subcommand("list", "Recent jobs, newest first");
  jobs_ls->add_option("--limit", a->limit, "How many")->capture_default_str();
  jobs_ls->callback([a, cx] { jobs_list(*cx, a->limit); });
  auto* show = jobs->add_subcommand("show", "One job card and its call's transcript");
  show->add_option("id", a->job_id, "Job ID");
  show->add_flag("--ics", a->ics, "Print the booked slot as an iCalendar event (RFC 5545)");
  show->add_option("--slot-minutes", a->slot_minutes,
                   "The slot's length, for DTEND (default: the tenant's)");
  show->callback([a, cx] { jobs_show(*cx, a->job_id, a->ics, a->slot_minutes); });
}

} // namespace sb::app
