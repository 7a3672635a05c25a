#include "console/cluster.hpp"

#include "actors/ask.hpp"
#include "common/time.hpp"

#include <caf/all.hpp>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>

namespace sb::console {

namespace {

using net::http_response;
using writer = rapidjson::Writer<rapidjson::StringBuffer>;

void str(writer& w, const char* key, std::string_view v) {
  w.Key(key);
  w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
}

void num(writer& w, const char* key, int64_t v) {
  w.Key(key);
  w.Int64(v);
}

struct node_row {
  std::string url;
  std::string lease = "unknown";
  int64_t lease_age_ms = -1;
  int64_t lease_ms = 0;
  int64_t live_calls = 0;
};

struct call_row {
  std::string sid, node, tenant, tenant_name, from, state, source;
  int64_t started_at_ms = 0;
};

std::vector<call_row> calls_of(const cluster_sources& s) {
  std::vector<call_row> out;
  if (s.live)
    for (const auto& c : s.live->calls)
      out.push_back({c.call_sid, s.self_id, c.tenant_number, c.tenant_name, c.from,
                     std::string{to_string(c.phase)}, "registry", c.started_at_ms});
  if (s.db)
    for (const auto& c : s.db->calls) {
      // A row with no node was written before schema v6: this node's, as
      // store::open_calls counts it.
      const std::string& node = c.node_id.empty() ? s.self_id : c.node_id;
      if (node == s.self_id && s.live)
        continue; // the registry's word on this node's calls is the live one
      out.push_back({c.call_sid, node, c.tenant_number, "", c.from,
                     std::string{to_string(c.status)}, "database", c.started_at_ms});
    }
  std::stable_sort(out.begin(), out.end(), [](const call_row& a, const call_row& b) {
    return a.node != b.node ? a.node < b.node : a.started_at_ms < b.started_at_ms;
  });
  return out;
}

std::map<std::string, node_row> nodes_of(const cluster_sources& s,
                                         const std::vector<call_row>& calls) {
  std::map<std::string, node_row> out;
  if (s.db)
    for (const auto& n : s.db->nodes) {
      auto& r = out[n.node_id];
      r.url = n.public_url;
      r.lease = n.expired() ? "expired" : "live";
      r.lease_age_ms = std::max<int64_t>(0, n.lease_age_ms());
      r.lease_ms = n.lease_ms;
      r.live_calls = n.open_calls; // counted by the database, past the view's limit too
    }
  const bool self_has_row = out.count(s.self_id) > 0;
  if (!self_has_row) {
    auto& self = out[s.self_id];
    self.url = s.self_url;
    // No row: on SQLite, or before this node's first heartbeat; unknown
    // when the database did not answer.
    self.lease = s.db ? "none" : "unknown";
  }
  // Nodes without a row: their calls counted here. This node's count is
  // its registry's when it answered.
  std::map<std::string, int64_t> counted;
  for (const auto& c : calls)
    ++counted[c.node];
  for (const auto& [node, n] : counted)
    if (!out.count(node))
      out[node].live_calls = n;
  if (s.live || !self_has_row)
    out[s.self_id].live_calls = counted[s.self_id];
  return out;
}

} // namespace

std::string cluster_json(const cluster_sources& s, int64_t now_ms) {
  auto calls = calls_of(s);
  auto nodes = nodes_of(s, calls);
  rapidjson::StringBuffer buf;
  writer w{buf};
  w.StartObject();
  str(w, "type", "cluster");
  num(w, "now", now_ms);
  str(w, "self", s.self_id);
  w.Key("errors");
  w.StartArray();
  for (const auto& e : s.errors)
    w.String(e.c_str(), static_cast<rapidjson::SizeType>(e.size()));
  w.EndArray();
  w.Key("nodes");
  w.StartArray();
  for (const auto& [id, n] : nodes) {
    w.StartObject();
    str(w, "nodeId", id);
    str(w, "url", n.url);
    w.Key("self");
    w.Bool(id == s.self_id);
    str(w, "lease", n.lease);
    num(w, "leaseAgeMs", n.lease_age_ms);
    num(w, "leaseMs", n.lease_ms);
    num(w, "liveCalls", n.live_calls);
    w.EndObject();
  }
  w.EndArray();
  w.Key("calls");
  w.StartArray();
  for (const auto& c : calls) {
    w.StartObject();
    str(w, "callSid", c.sid);
    str(w, "node", c.node);
    str(w, "tenant", c.tenant);
    str(w, "tenantName", c.tenant_name);
    str(w, "from", c.from);
    str(w, "state", c.state);
    num(w, "startedAt", c.started_at_ms);
    num(w, "durationMs", c.started_at_ms ? std::max<int64_t>(0, now_ms - c.started_at_ms) : 0);
    str(w, "source", c.source);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return buf.GetString();
}

bool serve_cluster_api(const actors::services& svc, const net::http_request& req,
                       const net::responder& respond) {
  if (req.path() != "/console/api/cluster")
    return false;
  if (req.method != "GET") {
    respond(http_response::json(405, R"({"ok":false,"error":"GET only"})"));
    return true;
  }
  // Both asks run at once; their callbacks come on actor threads, so the
  // gathered state is behind a mutex and the last one to finish answers.
  struct gathering {
    std::mutex mtx;
    cluster_sources sources;
    int waiting = 2;
    net::responder respond;
  };
  auto g = std::make_shared<gathering>();
  g->sources.self_id = svc.cfg->server.node_id;
  g->sources.self_url = std::string{svc.cfg->node_base()};
  g->respond = respond;
  auto finish = [g](auto fill) {
    std::lock_guard<std::mutex> lock{g->mtx};
    fill(g->sources);
    if (--g->waiting == 0)
      g->respond(http_response::json(200, cluster_json(g->sources, now_ms())));
  };
  // The page polls this: a storage actor busy with a slow database answers
  // within the registry's query time or not at all (the writes it holds
  // are not this view's to wait for).
  const auto storage_wait = std::min(svc.cfg->call.storage_write, svc.cfg->call.registry_query);
  actors::ask<actors::cluster_overview>(
      svc.storage, storage_wait,
      [finish](actors::cluster_overview& o) {
        finish([&o](cluster_sources& s) { s.db = std::move(o); });
      },
      [finish](caf::error& e) {
        finish([&e](cluster_sources& s) {
          s.errors.push_back("the database did not answer (" + caf::to_string(e) +
                             "): other nodes are not shown");
        });
      },
      actors::cluster_query{});
  actors::ask<actors::sessions_info>(
      svc.registry, svc.cfg->call.registry_query,
      [finish](actors::sessions_info& i) {
        finish([&i](cluster_sources& s) { s.live = std::move(i); });
      },
      [finish](caf::error& e) {
        finish([&e](cluster_sources& s) {
          s.errors.push_back("this node's registry did not answer (" + caf::to_string(e) +
                             "): its calls are shown as the database has them");
        });
      },
      actors::sessions_atom::value);
  return true;
}

} // namespace sb::console
