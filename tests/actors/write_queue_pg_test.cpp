// The storage actor's retry queue on PostgreSQL (issue 16.2): a lost
// connection is the environment's (SQLSTATE class 08): the writes wait and
// land once the server is back, on a connection the store makes again; a
// wrong write is dropped as on SQLite. Two nodes starting at once migrate
// once. A real, throwaway PostgreSQL server (tests/support/pg_server.*),
// stopped and started again mid-test.
#include "actors/write_queue.hpp"

#define BOOST_TEST_MODULE write_queue_pg
#include <boost/test/unit_test.hpp>

#include "storage/migrations.hpp"
#include "storage/store.hpp"
#include "tests/support/pg_server.hpp"

#include <memory>
#include <string>
#include <thread>
#include <vector>

using namespace sb;
using namespace sb::actors;
using namespace std::chrono_literals;

namespace {

storage::transcript_turn turn(const std::string& text, int seq) {
  storage::transcript_turn t;
  t.call_sid = "CA1";
  t.seq = seq;
  t.text = text;
  return t;
}

error pg(const std::string& code) {
  return error{"postgres", "append turn: the server's words [SQLSTATE " + code + "]"};
}

/// A store on `where` that knows the call `sid`.
std::unique_ptr<storage::store> store_with_call(const test::pg_database& where,
                                                const std::string& sid) {
  auto opened = storage::store::open(where.url());
  BOOST_REQUIRE(opened);
  storage::call_record c;
  c.call_sid = sid;
  BOOST_REQUIRE((*opened)->begin_call(c));
  return std::move(*opened);
}

/// Starts the server again when a test leaves it stopped (a failed check).
struct server_back {
  ~server_back() { test::pg_server_start(); }
};

} // namespace

BOOST_AUTO_TEST_CASE(sqlstates_of_the_environment_are_transient_the_writes_own_permanent) {
  // PostgreSQL docs, Appendix A: classes 08 and 53, 57P0x, 40001, 40P01, 55P03.
  for (const char* code : {"08000", "08006", "08003", "53100", "53200", "53300", "57P01", "57P02",
                           "57P03", "40001", "40P01", "55P03"})
    BOOST_TEST((classify(pg(code)) == write_failure::transient), code);
  for (const char* code : {"23505", "23503", "23502", "42601", "42P01", "22P02", "XX000"})
    BOOST_TEST((classify(pg(code)) == write_failure::permanent), code);
  // No SQLSTATE: the store refused it itself (a NUL byte in text).
  BOOST_TEST((classify(error{"postgres", "append turn: bind: parameter 3 holds a NUL byte"}) ==
              write_failure::permanent));
}

BOOST_AUTO_TEST_CASE(writes_made_while_the_server_is_down_land_after_it_restarts) {
  test::pg_database where;
  auto opened = store_with_call(where, "CA1");
  auto& db = *opened;

  write_queue q{{.initial_backoff = 10ms, .max_backoff = 50ms, .max_pending = 100}};
  {
    server_back guard;
    test::pg_server_stop();
    int seq = 0;
    for (const char* text : {"first", "second", "third"})
      q.push(std::string{"append_turn "} + text,
             [&db, text, seq = seq++] { return db.append_turn(turn(text, seq)); });
    auto d = q.drain();
    BOOST_REQUIRE(d.blocked_by.has_value());
    BOOST_TEST_INFO("while down: " << d.blocked_by->message);
    BOOST_TEST(d.blocked_by->message.find("[SQLSTATE 08") != std::string::npos);
    BOOST_TEST(d.written == 0u);
    BOOST_TEST(d.dropped.empty());
    BOOST_TEST(q.size() == 3u);
  }
  // Started again (the guard): the same store object finds a new connection.
  auto d = q.drain();
  BOOST_TEST_INFO("after restart: " << (d.blocked_by ? d.blocked_by->message : "none"));
  BOOST_TEST(!d.blocked_by.has_value());
  BOOST_TEST(d.written == 3u);
  BOOST_TEST(q.empty());
  auto turns = db.turns_for("CA1");
  BOOST_REQUIRE(turns);
  BOOST_REQUIRE(turns->size() == 3u);
  BOOST_TEST((*turns)[0].text == "first");
  BOOST_TEST((*turns)[2].text == "third");
}

BOOST_AUTO_TEST_CASE(a_read_after_a_restart_reconnects_without_failing) {
  test::pg_database where;
  auto opened = store_with_call(where, "CA2");
  auto& db = *opened;
  test::pg_server_stop();
  test::pg_server_start();
  // The old session is gone; the statement is prepared again on a new one.
  auto calls = db.open_calls("");
  BOOST_TEST_INFO((calls ? std::string("ok") : calls.err().message));
  BOOST_TEST(calls.ok());
}

BOOST_AUTO_TEST_CASE(two_nodes_starting_at_once_migrate_once) {
  for (int round = 0; round < 3; ++round) {
    test::pg_database where; // empty: both nodes find version 0
    std::vector<result<std::unique_ptr<storage::store>>> opened;
    opened.reserve(2);
    for (int i = 0; i < 2; ++i)
      opened.emplace_back(error{"test", "not run"});
    std::vector<std::thread> nodes;
    for (int i = 0; i < 2; ++i)
      nodes.emplace_back([&, i] { opened[i] = storage::store::open(where.url()); });
    for (auto& t : nodes)
      t.join();
    for (auto& o : opened) {
      BOOST_TEST_INFO("round " << round << ": " << (o ? std::string("ok") : o.err().message));
      BOOST_REQUIRE(o.ok());
      BOOST_TEST((*o)->schema_version() == static_cast<int>(storage::migrations().size()));
    }
  }
}
