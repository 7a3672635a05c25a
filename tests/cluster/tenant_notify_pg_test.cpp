// Issue 16.2: a tenant changed on one node, or by any client of the
// database, reaches every node's tenant cache at once, through PostgreSQL's
// LISTEN/NOTIFY: migration v21's trigger announces the change,
// storage/pg_listener.hpp hears it, app/tenant_notify.hpp makes the cache
// forget it. A real, throwaway PostgreSQL server (tests/support/pg_server.hpp),
// stopped and started again mid-test, and real servers on 127.0.0.1.
//
// The cache's TTLs are set to a minute in the server tests, so that a change
// seen within seconds can only have come by notification; the listener-off
// case shows the same change is not seen without it.
#include "app/tenant_notify.hpp"

#define BOOST_TEST_MODULE tenant_notify_pg
#include "tests/app/app_fixture.hpp"
#include "tests/support/pg_server.hpp"

#include "common/time.hpp"
#include "storage/pg_listener.hpp"

#include <boost/test/unit_test.hpp>

#include <libpq-fe.h>
#include <signal.h>

#include <cstdlib>
#include <mutex>
#include <vector>

using namespace sb;
using namespace sb::app::test;
using namespace std::chrono_literals;

namespace {

/// Starts the PostgreSQL server again when a test leaves it stopped.
struct server_back {
  ~server_back() { test::pg_server_start(); }
};

/// A node of the cluster on `url`, its tenant cache trusting entries for a
/// minute whether or not changes are pushed.
std::function<void(config&)> node(const std::string& url, const std::string& id,
                                  bool notify = true) {
  return [url, id, notify](config& c) {
    c.storage.path = url;
    c.server.node_id = id;
    c.storage.tenant_cache_ttl = 60s;
    c.storage.tenant_cache_pushed_ttl = 60s;
    c.storage.tenant_notify = notify;
  };
}

bool connects(const net::http_client_result& r) {
  return r.status == 200 && r.body.find("<Stream") != std::string::npos;
}

/// Webhooks to `s` (a new CallSid each, `prefix`N) until one is not
/// answered with <Stream>; how long that took, or nullopt after `limit`.
std::optional<std::chrono::milliseconds> until_refused(test_server& s, const std::string& prefix,
                                                       std::chrono::milliseconds limit) {
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; std::chrono::steady_clock::now() - t0 < limit; ++i) {
    auto r = s.post_form(inbound_path, inbound_form(prefix + std::to_string(i)));
    BOOST_REQUIRE(r.status == 200);
    if (!connects(r))
      return std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - t0);
    std::this_thread::sleep_for(25ms);
  }
  return std::nullopt;
}

/// What a listener heard, in order.
struct heard {
  std::mutex mutex;
  std::vector<std::string> payloads;
  std::vector<std::string> lost;

  storage::pg_listener_events events() {
    storage::pg_listener_events ev;
    ev.notified = [this](const std::string& p) {
      std::lock_guard lock{mutex};
      payloads.push_back(p);
    };
    ev.lost = [this](const std::string& why) {
      std::lock_guard lock{mutex};
      lost.push_back(why);
    };
    return ev;
  }
  std::vector<std::string> snapshot() {
    std::lock_guard lock{mutex};
    return payloads;
  }
  size_t losses() {
    std::lock_guard lock{mutex};
    return lost.size();
  }
};

std::shared_ptr<const storage::tenant> tenant_numbered(const std::string& number) {
  auto t = std::make_shared<storage::tenant>();
  t->number = number;
  return t;
}

} // namespace

BOOST_AUTO_TEST_SUITE(the_trigger)

BOOST_AUTO_TEST_CASE(announces_every_change_to_a_tenant_or_its_variants_by_number) {
  test::pg_database pg;
  auto db = storage::store::open(pg.url()); // migrated: the trigger is there
  BOOST_REQUIRE(db.ok());
  heard h;
  storage::pg_listener listener({.url = pg.url(), .channel = app::tenant_channel}, h.events());
  BOOST_REQUIRE(eventually([&] { return listener.listening(); }, 10s));

  storage::tenant t;
  t.number = "+15550000001";
  t.name = "First";
  BOOST_REQUIRE((*db)->add_tenant(t).ok());
  BOOST_REQUIRE(*(*db)->set_tenant_record(t.number, true));
  storage::variant v;
  v.name = "b";
  BOOST_REQUIRE((*db)->add_variant(t.number, v).ok());
  // Another client, as psql would: a new number announces both.
  test::pg_exec(pg.url(),
                "UPDATE tenants SET number = '+15550000002' WHERE number = '" + t.number + "'");
  BOOST_REQUIRE(*(*db)->remove_tenant("+15550000002"));
  test::pg_exec(pg.url(), "TRUNCATE tenant_variants");

  const std::vector<std::string> expected{"+15550000001",
                                          "+15550000001",
                                          "+15550000001",
                                          "+15550000001",
                                          "+15550000002",
                                          "+15550000002",
                                          ""};
  BOOST_TEST(eventually([&] { return h.snapshot().size() >= expected.size(); }, 10s));
  BOOST_TEST(h.snapshot() == expected, boost::test_tools::per_element());
  BOOST_TEST(h.losses() == 0u);
}

BOOST_AUTO_TEST_CASE(announces_nothing_for_a_transaction_rolled_back) {
  test::pg_database pg;
  auto db = storage::store::open(pg.url());
  BOOST_REQUIRE(db.ok());
  heard h;
  storage::pg_listener listener({.url = pg.url(), .channel = app::tenant_channel}, h.events());
  BOOST_REQUIRE(eventually([&] { return listener.listening(); }, 10s));
  test::pg_exec(pg.url(), "BEGIN; INSERT INTO tenants (number, name) VALUES ('+15550000009', "
                          "'Gone'); ROLLBACK; INSERT INTO tenants (number, name) VALUES "
                          "('+15550000010', 'Kept');");
  BOOST_TEST(eventually([&] { return !h.snapshot().empty(); }, 10s));
  std::this_thread::sleep_for(200ms); // anything else would be here by now
  BOOST_TEST(h.snapshot() == std::vector<std::string>{"+15550000010"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(the_listener)

BOOST_AUTO_TEST_CASE(listens_again_after_a_postgresql_restart_and_clears_the_cache) {
  // What changed while nobody listened was never announced to this node,
  // so listening again clears the whole cache: here an entry nobody
  // changed is gone after the restart, which only the clear can do.
  test::pg_database pg;
  auto db = storage::store::open(pg.url());
  BOOST_REQUIRE(db.ok());
  storage::tenant t;
  t.number = "+15550000003";
  t.name = "Third";
  BOOST_REQUIRE((*db)->add_tenant(t).ok());
  config cfg;
  cfg.storage.path = pg.url();
  auto cache = std::make_shared<actors::tenant_cache>(60'000, 60'000);
  auto listener = app::listen_for_tenant_changes(cfg, cache);
  BOOST_REQUIRE(listener != nullptr);
  BOOST_REQUIRE(eventually([&] { return listener->listening(); }, 10s));
  BOOST_TEST(cache->pushed());
  cache->put(tenant_numbered(t.number), t.number, now_ms(), cache->stamp());
  BOOST_REQUIRE(cache->find(t.number, now_ms()) != nullptr);

  {
    server_back back;
    test::pg_server_stop();
    BOOST_TEST(eventually([&] { return !listener->listening(); }, 10s));
    BOOST_TEST(!cache->pushed());                           // the short TTL again
    BOOST_TEST(cache->find(t.number, now_ms()) != nullptr); // younger than the short TTL
  }
  BOOST_REQUIRE(eventually([&] { return listener->listening(); }, 15s));
  BOOST_TEST(listener->connections() == 2);
  BOOST_TEST(cache->pushed());
  BOOST_TEST(cache->find(t.number, now_ms()) == nullptr); // cleared on reconnect

  // And it hears what comes next (the store reconnects on its own).
  cache->put(tenant_numbered(t.number), t.number, now_ms(), cache->stamp());
  BOOST_REQUIRE(cache->find(t.number, now_ms()) != nullptr);
  BOOST_REQUIRE(*(*db)->set_tenant_record(t.number, true));
  BOOST_TEST(eventually([&] { return cache->find(t.number, now_ms()) == nullptr; }, 10s));
}

BOOST_AUTO_TEST_CASE(gives_up_a_connection_that_stops_answering_and_makes_another) {
  // Its server process stops (SIGSTOP), as a peer behind a cut network
  // would: the socket stays open, the ping goes unanswered.
  test::pg_database pg;
  heard h;
  storage::pg_listener listener({.url = pg.url(),
                                 .channel = app::tenant_channel,
                                 .ping_interval = 200ms,
                                 .ping_timeout = 500ms},
                                h.events());
  BOOST_REQUIRE(eventually([&] { return listener.listening(); }, 10s));
  std::this_thread::sleep_for(1s); // pings answered: nothing lost
  BOOST_TEST(listener.listening());
  BOOST_TEST(h.losses() == 0u);

  PGconn* admin = PQconnectdb(pg.url().c_str());
  BOOST_REQUIRE(PQstatus(admin) == CONNECTION_OK);
  PGresult* r = PQexec(admin, "SELECT pid FROM pg_stat_activity "
                              "WHERE application_name = 'switchboard listener'");
  BOOST_REQUIRE(PQresultStatus(r) == PGRES_TUPLES_OK);
  BOOST_REQUIRE(PQntuples(r) == 1);
  pid_t backend = std::atoi(PQgetvalue(r, 0, 0));
  PQclear(r);
  PQfinish(admin);
  BOOST_REQUIRE(::kill(backend, SIGSTOP) == 0);
  struct resume {
    pid_t pid;
    ~resume() { ::kill(pid, SIGCONT); }
  } cont{backend};

  BOOST_TEST(eventually([&] { return h.losses() == 1u; }, 5s));
  {
    std::lock_guard lock{h.mutex};
    BOOST_TEST(h.lost.at(0).find("no answer") != std::string::npos, h.lost.at(0));
  }
  BOOST_TEST(eventually([&] { return listener.listening(); }, 10s)); // a new backend
  BOOST_TEST(listener.connections() == 2);
}

BOOST_AUTO_TEST_CASE(says_once_why_it_cannot_listen_and_never_the_password) {
  // No server at that port; then a password libpq cannot decode, which its
  // message quotes. Each reason is told once, however many attempts follow.
  for (const std::string url : {"postgresql://someone:s3cr3t-pw@127.0.0.1:1/db",
                                "postgresql://someone:s3cr3t%zz@127.0.0.1:1/db"}) {
    BOOST_TEST_CONTEXT(url) {
      heard h;
      storage::pg_listener listener({.url = url,
                                     .channel = app::tenant_channel,
                                     .initial_backoff = 20ms,
                                     .max_backoff = 20ms},
                                    h.events());
      BOOST_REQUIRE(eventually([&] { return h.losses() >= 1; }, 10s));
      std::this_thread::sleep_for(300ms); // several more attempts
      std::lock_guard lock{h.mutex};
      BOOST_TEST(h.lost.size() == 1u);
      BOOST_TEST(!h.lost[0].empty());
      BOOST_TEST(h.lost[0].find("s3cr3t") == std::string::npos, h.lost[0]);
      BOOST_TEST_MESSAGE("told: " << h.lost[0]);
      BOOST_TEST(!listener.listening());
    }
  }
}

BOOST_AUTO_TEST_CASE(is_not_started_for_sqlite_or_when_switched_off) {
  test::pg_database pg;
  auto cache = std::make_shared<actors::tenant_cache>();
  config cfg;
  cfg.storage.path = "switchboard.db";
  BOOST_TEST(app::listen_for_tenant_changes(cfg, cache) == nullptr);
  cfg.storage.path = pg.url();
  cfg.storage.tenant_notify = false;
  BOOST_TEST(app::listen_for_tenant_changes(cfg, cache) == nullptr);
  BOOST_TEST(!cache->pushed());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(two_nodes)

BOOST_AUTO_TEST_CASE(a_tenant_removed_elsewhere_is_refused_by_the_other_node_at_once) {
  test::pg_database pg;
  test_server a(node(pg.url(), "node-a"));
  test_server b(node(pg.url(), "node-b"));
  BOOST_REQUIRE(eventually([&] { return b.srv().tenant_changes_pushed(); }, 10s));
  BOOST_REQUIRE(connects(b.post_form(inbound_path, inbound_form("CAb1")))); // cached at B
  BOOST_REQUIRE(connects(b.post_form(inbound_path, inbound_form("CAb2")))); // from the cache

  BOOST_REQUIRE(*a.open_store()->remove_tenant(tenant_number)); // as `tenants remove` does
  auto took = until_refused(b, "CAb-after", 10s);
  BOOST_REQUIRE_MESSAGE(took.has_value(), "node B still answered from its cache after 10 s");
  BOOST_TEST_MESSAGE("node B refused the removed tenant " << took->count() << " ms after");
  BOOST_TEST(took->count() < 10'000);
}

BOOST_AUTO_TEST_CASE(a_limit_changed_by_another_client_applies_at_the_other_node_at_once) {
  test::pg_database pg;
  test_server a(node(pg.url(), "node-a"));
  test_server b(node(pg.url(), "node-b"));
  BOOST_REQUIRE(eventually([&] { return b.srv().tenant_changes_pushed(); }, 10s));
  BOOST_REQUIRE(connects(b.post_form(inbound_path, inbound_form("CAlim1"))));
  // One call a minute: the call above is that one.
  test::pg_exec(pg.url(), std::string("UPDATE tenants SET calls_per_minute = 1 WHERE number = '") +
                              tenant_number + "'");
  auto took = until_refused(b, "CAlim-after", 10s);
  BOOST_REQUIRE_MESSAGE(took.has_value(), "node B still admitted calls after 10 s");
  BOOST_TEST_MESSAGE("node B applied the new limit " << took->count() << " ms after");
}

BOOST_AUTO_TEST_CASE(without_the_listener_the_other_node_keeps_its_cached_tenant) {
  // The control for the two above: the same removal, node B not listening
  // (storage.tenant_notify = false) with the same one-minute TTL, answers
  // from its cache; so what they saw was the notification.
  test::pg_database pg;
  test_server a(node(pg.url(), "node-a"));
  test_server b(node(pg.url(), "node-b", false));
  BOOST_TEST(!b.srv().tenant_changes_pushed());
  BOOST_REQUIRE(connects(b.post_form(inbound_path, inbound_form("CAoff1"))));
  BOOST_REQUIRE(*a.open_store()->remove_tenant(tenant_number));
  BOOST_TEST(!until_refused(b, "CAoff-after", 3s).has_value());
  BOOST_TEST(!connects(a.post_form(inbound_path, inbound_form("CAoff-a")))); // A never cached it
}

BOOST_AUTO_TEST_CASE(after_a_postgresql_restart_a_change_still_reaches_the_other_node) {
  test::pg_database pg;
  test_server a(node(pg.url(), "node-a"));
  test_server b(node(pg.url(), "node-b"));
  BOOST_REQUIRE(eventually([&] { return b.srv().tenant_changes_pushed(); }, 10s));
  {
    server_back back;
    test::pg_server_stop();
    BOOST_TEST(eventually([&] { return !b.srv().tenant_changes_pushed(); }, 10s));
  }
  BOOST_REQUIRE(eventually([&] { return b.srv().tenant_changes_pushed(); }, 15s));
  BOOST_REQUIRE(connects(b.post_form(inbound_path, inbound_form("CArs1")))); // cached at B
  BOOST_REQUIRE(*a.open_store()->remove_tenant(tenant_number));
  auto took = until_refused(b, "CArs-after", 10s);
  BOOST_REQUIRE_MESSAGE(took.has_value(), "node B still answered from its cache after 10 s");
  BOOST_TEST_MESSAGE("after the restart, node B refused the removed tenant " << took->count()
                                                                             << " ms after");
}

BOOST_AUTO_TEST_SUITE_END()
