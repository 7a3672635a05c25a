// The console's cluster view (issue 16.3), GET /console/api/cluster on a
// real server: on SQLite (one node, no leases) this node alone, with its live
// call from the registry; on a throwaway PostgreSQL, node A's view of a
// second node's calls (written through that node's own store, as its server
// would), an expired node, a node with calls but no row, and A's own call,
// each with the node that holds it; with the database gone, A's own call
// still shown, the failure said; the call ended, gone from the view.
#define BOOST_TEST_MODULE console_cluster
#include "console/cluster.hpp"

#include "storage/store.hpp"
#include "tests/console/console_client.hpp"
#include "tests/console/console_env.hpp"
#include "tests/support/pg_server.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <functional>
#include <thread>

using namespace sb;
using namespace sb::console::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* token = "operator-token-for-cluster-tests-01";

rapidjson::Document cluster_view(console_env& env, const std::string& session) {
  auto r = request(env.io(), "GET", env.base_url() + "/console/api/cluster", session);
  BOOST_TEST_REQUIRE(r.status == 200, r.status << " " << r.body);
  rapidjson::Document d;
  d.Parse(r.body.c_str());
  BOOST_REQUIRE(d.IsObject());
  return d;
}

/// The view once `ready` holds, polled for at most `limit`.
rapidjson::Document view_when(console_env& env, const std::string& session,
                              const std::function<bool(const rapidjson::Document&)>& ready,
                              std::chrono::seconds limit) {
  rapidjson::Document d;
  eventually([&] { return ready(d = cluster_view(env, session)); }, limit, 200ms);
  return d;
}

const rapidjson::Value* entry(const rapidjson::Value& list, const char* key, const std::string& v) {
  for (const auto& e : list.GetArray())
    if (v == e[key].GetString())
      return &e;
  return nullptr;
}

std::string text(const rapidjson::Value& v, const char* key) {
  return v[key].GetString();
}

/// The one call with source "registry" (this node's live call), or nullptr.
const rapidjson::Value* live_call(const rapidjson::Document& d) {
  return entry(d["calls"], "source", "registry");
}

void begin_on(storage::store& db, const std::string& sid, const std::string& node) {
  storage::call_record c;
  c.call_sid = sid;
  c.account_sid = "AC00000000000000000000000000000000";
  c.tenant_number = business_number;
  c.from = "+15550000" + sid.substr(sid.size() - 3);
  c.to = business_number;
  c.started_at_ms = now_ms() - 30'000;
  c.node_id = node;
  auto r = db.begin_call(c);
  BOOST_TEST_REQUIRE(r.ok(), (r.ok() ? "" : r.err().message));
}

std::unique_ptr<storage::store> open_store(const std::string& where) {
  auto s = storage::store::open(where);
  BOOST_TEST_REQUIRE(s.ok(), (s.ok() ? "" : s.err().message));
  return std::move(*s);
}

} // namespace

BOOST_AUTO_TEST_CASE(on_sqlite_the_view_shows_this_node_alone_with_its_live_call) {
  log::set_level(log::level::off);
  console_env env{token, booking_script(60'000), [](config& c) { c.server.node_id = "solo"; }};
  BOOST_TEST(request(env.io(), "GET", env.base_url() + "/console/api/cluster").status == 401);
  auto session = login(env.io(), env.base_url(), token);
  auto idle = cluster_view(env, session);
  BOOST_TEST(text(idle, "self") == "solo");
  BOOST_TEST(idle["errors"].Size() == 0u);
  BOOST_REQUIRE(idle["nodes"].Size() == 1u);
  const auto& solo = idle["nodes"][0];
  BOOST_TEST(text(solo, "nodeId") == "solo");
  BOOST_TEST(solo["self"].GetBool());
  BOOST_TEST(text(solo, "lease") == "none"); // leases are kept on PostgreSQL only
  BOOST_TEST(solo["leaseAgeMs"].GetInt64() == -1);
  BOOST_TEST(text(solo, "url") == public_url);
  BOOST_TEST(solo["liveCalls"].GetInt64() == 0);
  BOOST_TEST(idle["calls"].Size() == 0u);

  env.start_call([](sim::caller_result) {});
  auto busy = view_when(
      env, session, [](const rapidjson::Document& d) { return live_call(d) != nullptr; }, 30s);
  const auto* call = live_call(busy);
  BOOST_REQUIRE(call != nullptr);
  BOOST_TEST(busy["calls"].Size() == 1u); // its database row is not listed again
  BOOST_TEST(text(*call, "node") == "solo");
  BOOST_TEST(text(*call, "tenantName") == "Bright Plumbing");
  BOOST_TEST(text(*call, "from") == caller_number);
  BOOST_TEST(text(*call, "callSid").rfind("CA", 0) == 0u);
  BOOST_TEST(busy["nodes"].Size() == 1u);
  BOOST_TEST(busy["nodes"][0]["liveCalls"].GetInt64() == 1);

  // Ended before the server stops, as in the PostgreSQL case below: a server
  // shut down with a call still live can hang in ~actor_system (the storage
  // actor's thread waits for its last reference; issue 15.4). Seen here too,
  // on SQLite under ASan (a 300 s timeout in the freshbox run of 42641fc).
  const std::string sid = text(*call, "callSid");
  BOOST_TEST(request(env.io(), "POST", env.base_url() + "/console/calls/" + sid + "/end", session)
                 .status == 202);
  auto after = view_when(
      env, session, [](const rapidjson::Document& d) { return live_call(d) == nullptr; }, 30s);
  BOOST_TEST(live_call(after) == nullptr);
}

BOOST_AUTO_TEST_CASE(on_postgresql_node_a_shows_every_nodes_calls_and_the_node_holding_each) {
  log::set_level(log::level::off);
  test::pg_database pg;
  console_env env{token, booking_script(60'000), [&pg](config& c) {
                    // The tenant console_env made in its SQLite file, on PostgreSQL too.
                    auto lite = open_store(c.storage.path);
                    auto t = lite->find_tenant(business_number);
                    BOOST_REQUIRE(t.ok() && t->has_value());
                    BOOST_REQUIRE(open_store(pg.url())->add_tenant(**t).ok());
                    c.storage.path = pg.url();
                    c.server.node_id = "node-a";
                  }};
  // Node B, alive, holds two calls; node C's lease has run out (no calls,
  // so that node A does not take any over); "node-old" holds a call but has
  // no row (a node from before leases).
  auto b = open_store(pg.url());
  BOOST_REQUIRE(b->heartbeat("node-b", "https://node-b.invalid", 120'000, true).ok());
  begin_on(*b, "CAnodeb001", "node-b");
  begin_on(*b, "CAnodeb002", "node-b");
  auto c = open_store(pg.url());
  BOOST_REQUIRE(c->heartbeat("node-c", "https://node-c.invalid", 1, true).ok());
  begin_on(*c, "CAnodeold1", "node-old");

  auto session = login(env.io(), env.base_url(), token);
  env.start_call([](sim::caller_result) {});
  auto v = view_when(
      env, session,
      [](const rapidjson::Document& d) {
        const auto* na = entry(d["nodes"], "nodeId", "node-a");
        const auto* nc = entry(d["nodes"], "nodeId", "node-c");
        return live_call(d) && na && text(*na, "lease") == "live" && nc &&
               text(*nc, "lease") == "expired";
      },
      30s);
  BOOST_TEST(text(v, "self") == "node-a");
  BOOST_TEST(v["errors"].Size() == 0u);
  const auto& nodes = v["nodes"];
  BOOST_REQUIRE(nodes.Size() == 4u);
  // By id: node-a, node-b, node-c, node-old.
  BOOST_TEST(text(nodes[0], "nodeId") == "node-a");
  BOOST_TEST(text(nodes[3], "nodeId") == "node-old");
  const auto* a = entry(nodes, "nodeId", "node-a");
  const auto* nb = entry(nodes, "nodeId", "node-b");
  const auto* nc = entry(nodes, "nodeId", "node-c");
  const auto* old = entry(nodes, "nodeId", "node-old");
  BOOST_REQUIRE((a && nb && nc && old));
  BOOST_TEST((*a)["self"].GetBool());
  BOOST_TEST(text(*a, "lease") == "live");
  BOOST_TEST((*a)["leaseAgeMs"].GetInt64() >= 0);
  BOOST_TEST((*a)["leaseAgeMs"].GetInt64() <= (*a)["leaseMs"].GetInt64());
  BOOST_TEST((*a)["liveCalls"].GetInt64() == 1);
  BOOST_TEST(text(*a, "url") == public_url);
  BOOST_TEST(!(*nb)["self"].GetBool());
  BOOST_TEST(text(*nb, "lease") == "live");
  BOOST_TEST(text(*nb, "url") == "https://node-b.invalid");
  BOOST_TEST((*nb)["leaseMs"].GetInt64() == 120'000);
  BOOST_TEST((*nb)["liveCalls"].GetInt64() == 2);
  BOOST_TEST(text(*nc, "lease") == "expired");
  BOOST_TEST((*nc)["leaseAgeMs"].GetInt64() > 1);
  BOOST_TEST((*nc)["liveCalls"].GetInt64() == 0);
  BOOST_TEST(text(*old, "lease") == "unknown");
  BOOST_TEST((*old)["leaseAgeMs"].GetInt64() == -1);
  BOOST_TEST((*old)["liveCalls"].GetInt64() == 1);

  const auto& calls = v["calls"];
  BOOST_TEST(calls.Size() == 4u); // A's live call once, though its row is in the database too
  for (const char* sid : {"CAnodeb001", "CAnodeb002"}) {
    const auto* k = entry(calls, "callSid", sid);
    BOOST_REQUIRE(k != nullptr);
    BOOST_TEST(text(*k, "node") == "node-b");
    BOOST_TEST(text(*k, "source") == "database");
    BOOST_TEST(text(*k, "tenant") == business_number);
    BOOST_TEST((*k)["durationMs"].GetInt64() >= 30'000);
  }
  BOOST_TEST(text(*entry(calls, "callSid", "CAnodeold1"), "node") == "node-old");
  const auto* mine = live_call(v);
  BOOST_REQUIRE(mine != nullptr);
  const std::string sid = text(*mine, "callSid");
  BOOST_TEST(text(*mine, "node") == "node-a");
  BOOST_TEST(text(*mine, "tenantName") == "Bright Plumbing");
  // The database agrees on who holds it.
  auto owner = b->call_owner(sid);
  BOOST_REQUIRE(owner.ok());
  BOOST_TEST((owner->has_value() && (*owner)->node_id == "node-a"));

  // The database gone: A's own call is still shown, from its registry, and
  // the page is told why the other nodes are missing; no hang.
  test::pg_server_stop();
  const auto asked = std::chrono::steady_clock::now();
  auto alone = cluster_view(env, session);
  BOOST_TEST((std::chrono::steady_clock::now() - asked <
              env.cfg().call.registry_query + std::chrono::seconds{2}));
  test::pg_server_start();
  BOOST_TEST(alone["errors"].Size() == 1u);
  BOOST_TEST(alone["calls"].Size() == 1u);
  BOOST_REQUIRE(live_call(alone) != nullptr);
  BOOST_TEST(text(*live_call(alone), "callSid") == sid);
  BOOST_TEST(alone["nodes"].Size() == 1u);
  BOOST_TEST(text(alone["nodes"][0], "lease") == "unknown");

  // The call ended from the console: it leaves the view. (Ended here, not
  // left to the server's shutdown: a server on PostgreSQL shut down with a
  // call still live hung now and then in ~actor_system, waiting for the
  // detached storage actor; seen in this test, not looked into.)
  BOOST_TEST(request(env.io(), "POST", env.base_url() + "/console/calls/" + sid + "/end", session)
                 .status == 202);
  auto after = view_when(
      env, session, [](const rapidjson::Document& d) { return live_call(d) == nullptr; }, 30s);
  BOOST_TEST(live_call(after) == nullptr);
  BOOST_TEST(after["calls"].Size() == 3u);
}
