// The per-tenant concurrency limit held across the cluster (issue 16.2),
// end to end: two servers (nodes) on one PostgreSQL database, webhooks for
// one limited tenant sent to both at once: exactly the limit rings through
// between them, the rest are offered voicemail; a call that ends frees its
// place for the other node; when the database cannot admit in time the
// call rings through on the node's own count (fail-open,
// actors/webhook_answer.hpp path 7).
#define BOOST_TEST_MODULE cluster_limit
#include "tests/app/app_fixture.hpp"
#include "tests/support/pg_server.hpp"

#include <boost/test/unit_test.hpp>

#include <libpq-fe.h>

#include <future>
#include <vector>

namespace {

using namespace sb::app::test;
using sb::net::http_client_result;

bool rings_through(const http_client_result& r) {
  return r.status == 200 && r.body.find("<Connect><Stream") != std::string::npos;
}

/// Offered voicemail (path 6): <Record>, no stream.
bool offered_voicemail(const http_client_result& r) {
  return r.status == 200 && r.body.find("<Record ") != std::string::npos &&
         r.body.find("<Connect>") == std::string::npos;
}

std::string sid(const std::string& node, int i) {
  std::string n = node + std::to_string(i);
  return "CA" + std::string(32 - n.size(), '0') + n;
}

/// One signed webhook to `s`, sent now; its result comes in the future.
std::future<http_client_result> webhook(test_server& s, const std::string& call_sid) {
  return s.post_form_async(inbound_path, inbound_form(call_sid));
}

http_client_result wait(std::future<http_client_result>& f) {
  BOOST_REQUIRE(f.wait_for(20s) == std::future_status::ready);
  return f.get();
}

/// A node of the cluster: its own id, the shared database, a tenant limit.
std::function<void(sb::config&)> node(const std::string& url, const std::string& id, int limit,
                                      const std::function<void(sb::config&)>& more = {}) {
  return [url, id, limit, more](sb::config& c) {
    c.storage.path = url;
    c.server.node_id = id;
    c.limits.tenant_max_concurrent = limit;
    if (more)
      more(c);
  };
}

int open_calls(test_server& s) {
  int n = 0;
  for (const auto& id : {"node-a", "node-b"})
    n += static_cast<int>(s.open_store()->open_calls(id).value().size());
  return n;
}

} // namespace

BOOST_AUTO_TEST_SUITE(cluster_limit)

BOOST_AUTO_TEST_CASE(webhooks_to_two_nodes_at_once_ring_through_exactly_the_tenant_limit) {
  sb::test::pg_database pg;
  constexpr int limit = 4;
  constexpr int per_node = 10;
  test_server a{node(pg.url(), "node-a", limit)};
  test_server b{node(pg.url(), "node-b", limit)};
  std::vector<std::future<http_client_result>> pending;
  for (int i = 0; i < per_node; ++i) {
    pending.push_back(webhook(a, sid("a", i)));
    pending.push_back(webhook(b, sid("b", i)));
  }
  int rang = 0, refused = 0, rang_a = 0;
  for (size_t i = 0; i < pending.size(); ++i) {
    auto r = wait(pending[i]);
    rang += rings_through(r) ? 1 : 0;
    rang_a += rings_through(r) && i % 2 == 0 ? 1 : 0;
    refused += offered_voicemail(r) ? 1 : 0;
  }
  BOOST_TEST_MESSAGE("rang through: " << rang << " (node-a " << rang_a << ")");
  BOOST_TEST(rang == limit); // one node alone would let `limit` in: both, twice that
  BOOST_TEST(refused == 2 * per_node - limit);
  // The database holds exactly the calls that rang, open, on their nodes.
  BOOST_TEST(open_calls(a) == limit);
  BOOST_TEST(
      eventually([&] { return a.srv().active_calls() + b.srv().active_calls() == limit; }, 5s));
  // A retried webhook of a call that rang is answered the same, not refused.
  for (int i = 0; i < per_node; ++i) {
    auto first = a.open_store()->get_call(sid("b", i)).value();
    if (first && first->end_reason == sb::end_reason::none) {
      auto again = webhook(b, sid("b", i));
      BOOST_TEST(rings_through(wait(again)));
      break;
    }
  }
}

BOOST_AUTO_TEST_CASE(a_call_that_ends_on_one_node_frees_its_place_for_the_other) {
  sb::test::pg_database pg;
  auto short_wait = [](sb::config& c) { c.twilio.stream_attach_timeout = 1500ms; };
  test_server a{node(pg.url(), "node-a", 1, short_wait)};
  test_server b{node(pg.url(), "node-b", 1)};
  auto first = webhook(a, sid("a", 1));
  BOOST_TEST_REQUIRE(rings_through(wait(first)));
  auto second = webhook(b, sid("b", 1));
  BOOST_TEST(offered_voicemail(wait(second)));
  // No stream comes to node-a: its call ends (finalized) and frees the place.
  BOOST_TEST_REQUIRE(eventually([&] { return open_calls(a) == 0; }, 10s));
  auto third = webhook(b, sid("b", 2));
  BOOST_TEST(rings_through(wait(third)));
}

BOOST_AUTO_TEST_CASE(a_database_that_cannot_admit_in_time_leaves_the_node_count_in_force) {
  sb::test::pg_database pg;
  test_server a{node(pg.url(), "node-a", 1, [](sb::config& c) { c.call.tenant_lookup = 1000ms; })};
  // Another session holds the tenant's admission lock (a node stuck in its
  // admission): the database cannot admit within the wait.
  PGconn* other = PQconnectdb(pg.url().c_str());
  BOOST_TEST_REQUIRE(PQstatus(other) == CONNECTION_OK);
  PGresult* held = PQexec(
      other, ("SELECT pg_advisory_lock(1396853837, hashtext('" + std::string{tenant_number} + "'))")
                 .c_str());
  BOOST_TEST_REQUIRE(PQresultStatus(held) == PGRES_TUPLES_OK);
  PQclear(held);
  const auto start = std::chrono::steady_clock::now();
  auto first = webhook(a, sid("a", 1));
  auto r = wait(first);
  BOOST_TEST(rings_through(r), r.body); // fail-open: the business's line answers
  BOOST_TEST((std::chrono::steady_clock::now() - start < 5s));
  // This node's own count still holds: limit 1, one call live here.
  auto second = webhook(a, sid("a", 2));
  BOOST_TEST(offered_voicemail(wait(second)));
  PQfinish(other);
}

BOOST_AUTO_TEST_SUITE_END()
