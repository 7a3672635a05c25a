#pragma once
// Messages of several nodes on one database (issue 16.2): the registry's
// lease heartbeat and takeover through the storage actor
// (actors/call_takeover.hpp), and the call-next route's question about a
// call another node holds.

#include "actors/inspect_records.hpp"
#include "actors/messages.hpp"
#include "storage/records.hpp"

#include <caf/atom.hpp>
#include <caf/meta/type_name.hpp>

#include <string>
#include <vector>

namespace sb::actors {

/// The registry to itself: renew this node's lease, look for dead nodes.
using lease_tick_atom = caf::atom_constant<caf::atom("leasetick")>;

/// This node is alive (storage heartbeat); answered with every node's row
/// as read right after, each with its open calls.
struct node_heartbeat {
  std::string node_id;
  std::string public_url;
  int64_t lease_ms = 0;
  bool starting = false; ///< the node's first heartbeat of this run
};

/// Takeover (storage claim_calls): `dead`'s open calls (or only `call_sid`)
/// become `me`'s if `dead`'s lease expired; answered with the calls claimed,
/// each with its business, as open_calls answers.
struct claim_calls {
  std::string dead;
  std::string me;
  std::string call_sid; ///< "" : all of them
};

/// Which node holds an open call (the call-next route at a node that does
/// not know it); answered with call_owner.
struct call_owner_query {
  std::string call_sid;
};
struct call_owner {
  bool found = false; ///< false: not an open call, or its node has no row
  storage::node_info node;
};

/// The console and `nodes list`: every node's row.
struct nodes_query {
  bool all = true;
};

/// The console's cluster view (issue 16.3, console/cluster.hpp): every
/// node's row and the open calls of every node (at most `limit`), read one
/// after the other on the storage thread; answered with cluster_overview.
struct cluster_query {
  int limit = 500;
};
struct cluster_overview {
  std::vector<storage::node_info> nodes; ///< empty on SQLite (no leases)
  std::vector<storage::call_record> calls;
};

} // namespace sb::actors

namespace sb::storage {
template <class F> auto inspect(F& f, node_info& x) {
  return f(caf::meta::type_name("node_info"), x.node_id, x.public_url, x.started_at_ms,
           x.heartbeat_at_ms, x.lease_ms, x.db_now_ms, x.open_calls);
}
} // namespace sb::storage

namespace sb::actors {
template <class F> auto inspect(F& f, node_heartbeat& x) {
  return f(caf::meta::type_name("node_heartbeat"), x.node_id, x.public_url, x.lease_ms, x.starting);
}
template <class F> auto inspect(F& f, claim_calls& x) {
  return f(caf::meta::type_name("claim_calls"), x.dead, x.me, x.call_sid);
}
template <class F> auto inspect(F& f, call_owner_query& x) {
  return f(caf::meta::type_name("call_owner_query"), x.call_sid);
}
template <class F> auto inspect(F& f, call_owner& x) {
  return f(caf::meta::type_name("call_owner"), x.found, x.node);
}
template <class F> auto inspect(F& f, nodes_query& x) {
  return f(caf::meta::type_name("nodes_query"), x.all);
}
template <class F> auto inspect(F& f, cluster_query& x) {
  return f(caf::meta::type_name("cluster_query"), x.limit);
}
template <class F> auto inspect(F& f, cluster_overview& x) {
  return f(caf::meta::type_name("cluster_overview"), x.nodes, x.calls);
}
} // namespace sb::actors
