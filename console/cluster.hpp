#pragma once
// The console's cluster view (issue 16.3): every node sharing the database,
// its lease, and the live calls each holds, for a logged-in operator:
//   GET /console/api/cluster  {"type":"cluster","now","self","errors":[...],
//                              "nodes":[...],"calls":[...]}
// Built from two sources asked at once, each with its timeout, so that a
// slow one never holds the answer up past it: the database through the
// storage actor (every node's row in `nodes` and the open calls of every
// node) and this node's registry (its own calls, live, as the feed shows
// them). What a source could not tell is left out and said in "errors".
// Leases are kept on PostgreSQL only: on SQLite (one node) there are no
// node rows and the view shows this node alone, with lease "none".

#include "actors/cluster_messages.hpp"
#include "actors/messages.hpp"
#include "actors/services.hpp"
#include "net/http_server.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sb::console {

/// What the view is made of. nullopt: that source did not answer (its
/// reason in `errors`).
struct cluster_sources {
  std::string self_id;  ///< [server] node_id
  std::string self_url; ///< config::node_base()
  std::optional<actors::cluster_overview> db;
  std::optional<actors::sessions_info> live; ///< this node's registry
  std::vector<std::string> errors;
};

/// The view as JSON. "nodes", by id: {"nodeId","url","self","lease"
/// (live|expired: by its heartbeat on the database's clock; none: this node
/// without a row, as on SQLite; unknown: a node that holds open calls but
/// has no row, or this node when the database did not answer),"leaseAgeMs" (-1: no
/// row),"leaseMs","liveCalls"}. "calls", by node then start:
/// {"callSid","node","tenant","tenantName","from", "state","startedAt","durationMs","source"
/// (registry|database)}. This node's calls come from its registry; the database's rows of this node
/// (and rows with no node, from before schema v6) only when the registry did
/// not answer.
std::string cluster_json(const cluster_sources& s, int64_t now_ms);

/// True when `req` is GET /console/api/cluster (then `respond` is called
/// once both sources answered or timed out); false: not ours.
bool serve_cluster_api(const actors::services& svc, const net::http_request& req,
                       const net::responder& respond);

} // namespace sb::console
