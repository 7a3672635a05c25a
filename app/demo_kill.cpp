#include "app/demo_kill.hpp"

#include "storage/store.hpp"

#include <algorithm>
#include <csignal>
#include <fstream>
#include <iostream>

namespace sb::app::demo {

namespace {

namespace fs = std::filesystem;

/// The config file an operator would write: the stand-ins' addresses, the
/// database, the scenario's [resume] grace and [limits]. The secrets go in
/// the environment (child_env()).
void write_config(const std::string& path, const config& c, uint16_t port,
                  const std::string& node_id) {
  std::ofstream f{path};
  f << "[server]\nbind_address = \"127.0.0.1\"\nport = " << port << "\npublic_url = \""
    << c.server.public_url << "\"\nshutdown_grace_ms = 1000\nnode_id = \"" << node_id << "\"\n"
    << "[cluster]\nnode_url = \"" << c.cluster.node_url
    << "\"\nlease_ms = " << c.cluster.lease.count() << "\n"
    << "[twilio]\nrest_base_url = \"" << c.twilio.rest_base_url << "\"\n"
    << "[openai]\nrealtime_url = \"" << c.openai.realtime_url << "\"\nca_file = \""
    << c.openai.ca_file << "\"\n[storage]\npath = \"" << c.storage.path << "\"\n"
    << "[notifier]\npoll_interval_ms = 200\ninitial_backoff_ms = 200\n"
    << "[resume]\ngrace_ms = " << c.resume.grace.count() << "\n"
    << "[limits]\nover_limit_voicemail = " << (c.limits.over_limit_voicemail ? "true" : "false")
    << "\n";
}

/// The secrets, and the variables that would override the config file
/// (config/env.cpp apply_env) set to its values, so that the caller's
/// own environment cannot point the child elsewhere.
bench::env_list child_env(const config& c, uint16_t port) {
  return {
      {"TWILIO_AUTH_TOKEN", c.twilio.auth_token},     {"TWILIO_ACCOUNT_SID", c.twilio.account_sid},
      {"OPENAI_API_KEY", c.openai.api_key},           {"PORT", std::to_string(port)},
      {"SERVER_PUBLIC_URL", c.server.public_url},     {"SWITCHBOARD_NODE_URL", c.cluster.node_url},
      {"OPENAI_REALTIME_URL", c.openai.realtime_url}, {"SWITCHBOARD_DB", c.storage.path},
      {"SWITCHBOARD_DATABASE_URL", c.storage.path},   {"SWITCHBOARD_LOG_LEVEL", "info"}};
}

/// The first assistant turn stored after the kill: its reply on resuming.
const storage::transcript_turn* reply_after_resume(const call_view& v) {
  for (std::size_t i = v.turns_at_kill; i < v.turns.size(); ++i)
    if (v.turns[i].role == speaker::assistant)
      return &v.turns[i];
  return nullptr;
}

/// A refused caller heard the busy message; nothing of it may be left
/// half-done: no record, or one ended over_limit, and a push per job card.
std::string judge_refused(const call_view& v) {
  if (!v.result.ok)
    return "the refused caller's call failed: " + v.result.error;
  if (v.rows > 1 || (v.call && v.call->end_reason != end_reason::over_limit))
    return "refused at the webhook, yet stored as a call that ended " +
           std::string{v.call ? to_string(v.call->end_reason) : "-"};
  if (v.pushes != v.cards)
    return std::to_string(v.pushes) + " pushes for " + std::to_string(v.cards) + " job cards";
  return {};
}

/// A call on a node that was not killed (or that ended before the kill).
std::string judge_untouched(const call_view& v) {
  if (!v.result.ok || v.result.streams != 1 || v.call->resumes != 0)
    return "a call on a surviving node was disturbed (streams " + std::to_string(v.result.streams) +
           ", resumes " + std::to_string(v.call->resumes) +
           (v.result.ok ? "" : ", " + v.result.error) + ")";
  return v.call->end_reason == end_reason::assistant_hangup
             ? ""
             : "it ended " + std::string{to_string(v.call->end_reason)};
}

} // namespace

node_set::node_set(const fs::path& dir, const config& cfg, std::vector<std::string> ids,
                   bool cluster)
    : dir_(dir), ids_(std::move(ids)) {
  std::error_code ec;
  self_ = fs::read_symlink("/proc/self/exe", ec).string();
  for (std::size_t k = 0; k < ids_.size(); ++k) {
    ports_.push_back(bench::free_port());
    config c = cfg;
    if (cluster)
      c.cluster.node_url = "http://127.0.0.1:" + std::to_string(ports_[k]);
    configs_.push_back((dir_ / ("config-" + std::to_string(k + 1) + ".toml")).string());
    write_config(configs_[k], c, ports_[k], ids_[k]);
    cfgs_.push_back(std::move(c));
  }
  logs_.resize(ids_.size());
  servers_.resize(ids_.size());
}

status node_set::start(std::size_t k) {
  logs_[k] = (dir_ / ("server-" + std::to_string(++starts_) + ".log")).string();
  auto started = bench::server_process::start(self_, configs_[k], child_env(cfgs_[k], ports_[k]),
                                              ports_[k], logs_[k]);
  if (!started)
    return started.err();
  servers_[k] = std::move(*started);
  return ok_status();
}

void node_set::kill(std::size_t k) {
  ::kill(servers_[k].pid(), SIGKILL);
}

void node_set::stop_all() {
  for (auto& s : servers_)
    s.stop();
}

void read_back(const std::string& db_path, const std::vector<std::string>& pushes,
               std::vector<call_view>& views) {
  auto db = storage::store::open(db_path);
  if (!db)
    return;
  const int limit = static_cast<int>(views.size()) * 2 + 10;
  auto rows = (*db)->list_calls(limit);
  auto jobs = (*db)->list_jobs(limit);
  for (auto& v : views) {
    const auto& sid = v.result.call_sid;
    if (auto c = (*db)->get_call(sid); c && *c)
      v.call = **c;
    if (auto j = (*db)->job_for_call(sid); j && *j)
      v.job = **j;
    if (auto t = (*db)->turns_for(sid); t)
      v.turns = *t;
    if (rows)
      v.rows = std::count_if(rows->begin(), rows->end(),
                             [&](const auto& c) { return c.call_sid == sid; });
    if (jobs)
      v.cards = std::count_if(jobs->begin(), jobs->end(),
                              [&](const auto& j) { return j.call_sid == sid; });
    v.pushes = std::count_if(pushes.begin(), pushes.end(), [&](const std::string& body) {
      return body.find(sid) != std::string::npos;
    });
  }
}

std::string judge(const call_view& v) {
  if (v.refused)
    return judge_refused(v);
  if (v.rows != 1)
    return std::to_string(v.rows) + " call records, not one";
  if (v.cards != 1 || !v.job)
    return std::to_string(v.cards) + " job cards, not one";
  if (v.pushes != 1)
    return std::to_string(v.pushes) + " pushes delivered, not one";
  if (v.job->details.customer_name != v.who.customer)
    return "the job card names '" + v.job->details.customer_name + "', not " + v.who.customer;
  if (v.job->details.address.empty() || v.job->details.service.empty())
    return "the job card lost the address or the problem given before the kill";
  if (!v.on_killed_node) // a survivor's own call: untouched by the kill
    return judge_untouched(v);
  if (!v.node.empty() && v.call->node_id == v.node)
    return "no surviving node took it over (still on " + v.node + ")";
  if (!v.who.comes_back) {
    if (v.call->end_reason != end_reason::server_lost)
      return "it ended " + std::string{to_string(v.call->end_reason)} + ", not server_lost";
    return v.call->resumes == 0 ? "" : "it counts a resume it never had";
  }
  if (!v.result.ok)
    return "the caller's call failed: " + v.result.error;
  if (v.result.streams != 2 || v.call->resumes != 1 || v.job->resumes != 1)
    return "not picked up again exactly once (streams " + std::to_string(v.result.streams) +
           ", resumes " + std::to_string(v.call->resumes) + ")";
  if (v.call->end_reason != end_reason::assistant_hangup)
    return "it ended " + std::string{to_string(v.call->end_reason)} + ", not assistant_hangup";
  if (v.job->details.preferred_time.empty())
    return "the job card lacks the time given after the resume";
  const auto* back = reply_after_resume(v);
  if (back == nullptr || back->text.find(v.who.customer) == std::string::npos)
    return "the assistant's reply after the resume does not name " + v.who.customer;
  return {};
}

void print_view(std::size_t i, const call_view& v) {
  std::cout << "\nCall " << i + 1 << ": " << v.who.customer << " (" << v.result.call_sid << "), "
            << (!v.on_killed_node  ? "on a surviving node"
                : v.who.comes_back ? "follows the <Redirect> back"
                                   : "hangs up during the gap (does not come back)")
            << "\n";
  if (!v.node.empty())
    std::cout << "  node:         " << v.node << (v.on_killed_node ? " (killed)" : " (survived)")
              << ", finalized on " << (v.call ? v.call->node_id : std::string{"-"}) << "\n";
  if (!v.call) {
    std::cout << "  (no call record)\n";
    return;
  }
  std::cout << "  end reason:   " << to_string(v.call->end_reason)
            << (v.call->end_detail.empty() ? "" : " (" + v.call->end_detail + ")") << ", status "
            << to_string(v.call->status) << "\n"
            << "  resumes:      " << v.call->resumes << " on the call record, "
            << (v.job ? std::to_string(v.job->resumes) : std::string{"-"})
            << " on the job card; Media Streams " << v.result.streams << "\n"
            << "  records:      " << v.rows << " call record, " << v.cards << " job card, "
            << v.pushes << " push delivered\n";
  if (v.job) {
    const auto& d = v.job->details;
    std::cout << "  job card #" << v.job->id << ":  " << d.customer_name << "; " << d.address
              << "; " << d.service << "; " << d.urgency << "; when: " << d.preferred_date << " "
              << d.preferred_time << "; phone " << d.callback_phone << " (" << v.job->status
              << ")\n";
  }
  if (v.kill_to_voice_ms >= 0 && !v.result.resume_gap_ms.empty())
    std::cout << "  silent gap:   " << v.kill_to_voice_ms
              << " ms from SIGKILL to the assistant's voice again (" << v.result.resume_gap_ms[0]
              << " ms since the caller last heard it)\n";
  if (const auto* back = reply_after_resume(v); back && v.who.comes_back)
    std::cout << "  after it:     Assistant: " << back->text << "\n";
}

void print_view_line(std::size_t i, const call_view& v) {
  std::cout << "  call " << i + 1 << (v.limited ? " (limited)" : "") << " " << v.who.customer
            << ": ";
  if (v.refused) {
    std::cout << "refused at the webhook (busy), " << v.rows << " call record\n";
    return;
  }
  std::cout << (v.node.empty() ? "-" : v.node) << " -> "
            << (v.call ? v.call->node_id : std::string{"-"}) << ", "
            << (v.call ? to_string(v.call->end_reason) : "no record") << ", resumes "
            << (v.call ? v.call->resumes : 0) << ", streams " << v.result.streams << ", " << v.cards
            << " card" << (v.job ? " #" + std::to_string(v.job->id) : "") << ", " << v.pushes
            << " push"
            << (v.on_killed_node ? (v.who.comes_back ? " [killed node, came back]"
                                                     : " [killed node, hung up in the gap]")
                                 : "")
            << "\n";
}

int print_verdict(const scenario& sc, const std::vector<std::string>& failures) {
  std::cout << "\nScenario " << sc.name << ": ";
  if (failures.empty()) {
    std::cout << "went as expected\n";
    return 0;
  }
  std::cout << "NOT as expected:\n";
  for (const auto& f : failures)
    std::cout << "  " << f << "\n";
  return 1;
}

void print_recovery(const std::string& log_path) {
  std::ifstream in{log_path};
  std::cout << "\nThe log of " << log_path << ", about the calls:\n";
  for (std::string line; std::getline(in, line);)
    if (line.find("open when it last stopped") != std::string::npos ||
        line.find("picked up again") != std::string::npos ||
        line.find("did not come back") != std::string::npos ||
        line.find("took over") != std::string::npos ||
        line.find("is sent on to node") != std::string::npos ||
        line.find("lost its stream") != std::string::npos)
      std::cout << "  " << line << "\n";
}

bool all_finalized(storage::store& db, std::size_t limit) {
  auto rows = db.list_calls(static_cast<int>(limit));
  if (!rows)
    return false;
  return std::none_of(rows->begin(), rows->end(),
                      [](const auto& c) { return c.end_reason == end_reason::none; });
}

bool named(storage::store& db, const std::vector<storage::call_record>& rows,
           const std::string& number) {
  for (const auto& c : rows) {
    if (c.from != number)
      continue;
    auto turns = db.turns_for(c.call_sid);
    auto draft = db.booking_draft(c.call_sid);
    return turns && turns->size() >= 5 && draft && !draft->customer_name.empty();
  }
  return false;
}

} // namespace sb::app::demo
