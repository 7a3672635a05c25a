// The storage actor's retry queue (issue 14.5): writes the database refuses
// for the time being wait in order and go in when it recovers; a write that
// is wrong in itself is dropped, not retried forever. The refusals are
// SQLite's own, from real database files.
#include "actors/write_queue.hpp"

#define BOOST_TEST_MODULE write_queue
#include <boost/test/unit_test.hpp>

#include "storage/store.hpp"

#include <sqlite3.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

using namespace sb;
using namespace sb::actors;
using namespace std::chrono_literals;

namespace {

struct temp_dir {
  std::string path = [] {
    char tmpl[] = "/tmp/switchboard-write-queue-XXXXXX";
    BOOST_REQUIRE(mkdtemp(tmpl) != nullptr);
    return std::string{tmpl};
  }();
  ~temp_dir() { std::filesystem::remove_all(path); }
};

/// A second connection to the file, as another process would hold it.
struct raw_connection {
  sqlite3* db = nullptr;
  explicit raw_connection(const std::string& path, int flags = SQLITE_OPEN_READWRITE) {
    BOOST_REQUIRE(sqlite3_open_v2(path.c_str(), &db, flags, nullptr) == SQLITE_OK);
  }
  ~raw_connection() { sqlite3_close(db); }
  /// The statement's result code; `message` gets sqlite3_errmsg.
  int exec(const std::string& sql, std::string* message = nullptr) {
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
    if (message)
      *message = sqlite3_errmsg(db);
    return rc;
  }
};

/// The error the store makes of a failed statement (storage/sqlite_db.hpp).
error as_store_error(const std::string& message) {
  return error{"sqlite", "append turn: " + message};
}

storage::transcript_turn turn(const std::string& text, int seq = 0) {
  storage::transcript_turn t;
  t.call_sid = "CA1";
  t.seq = seq;
  t.text = text;
  return t;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_lock_held_by_another_connection_is_transient) {
  temp_dir dir;
  auto db = storage::store::open(dir.path + "/t.db");
  BOOST_REQUIRE(db);
  storage::call_record c;
  c.call_sid = "CA1";
  BOOST_REQUIRE((*db)->begin_call(c));
  raw_connection other{dir.path + "/t.db"};
  BOOST_REQUIRE(other.exec("BEGIN EXCLUSIVE") == SQLITE_OK);
  auto refused = (*db)->append_turn(turn("Hello")); // waits out the store's busy timeout
  BOOST_REQUIRE(!refused);
  BOOST_TEST_INFO("store error: " << refused.err().message);
  BOOST_TEST((classify(refused.err()) == write_failure::transient));
}

BOOST_AUTO_TEST_CASE(a_full_database_and_a_read_only_file_are_transient) {
  temp_dir dir;
  const auto path = dir.path + "/t.db";
  {
    raw_connection setup{path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE};
    BOOST_REQUIRE(setup.exec("CREATE TABLE t(x TEXT)") == SQLITE_OK);
  }
  raw_connection full{path};
  BOOST_REQUIRE(full.exec("PRAGMA max_page_count = 2") == SQLITE_OK);
  std::string msg;
  int rc = SQLITE_OK;
  for (int i = 0; i < 100 && rc == SQLITE_OK; ++i)
    rc = full.exec("INSERT INTO t VALUES (printf('%.2000c', 'x'))", &msg);
  BOOST_REQUIRE(rc == SQLITE_FULL);
  BOOST_TEST_INFO("SQLITE_FULL: " << msg);
  BOOST_TEST((classify(as_store_error(msg)) == write_failure::transient));

  raw_connection read_only{path, SQLITE_OPEN_READONLY};
  BOOST_REQUIRE(read_only.exec("INSERT INTO t VALUES ('y')", &msg) == SQLITE_READONLY);
  BOOST_TEST_INFO("SQLITE_READONLY: " << msg);
  BOOST_TEST((classify(as_store_error(msg)) == write_failure::transient));
}

BOOST_AUTO_TEST_CASE(a_constraint_or_a_wrong_statement_is_permanent) {
  temp_dir dir;
  raw_connection db{dir.path + "/t.db", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE};
  BOOST_REQUIRE(db.exec("CREATE TABLE t(id INTEGER PRIMARY KEY, x TEXT NOT NULL)") == SQLITE_OK);
  BOOST_REQUIRE(db.exec("INSERT INTO t VALUES (1, 'a')") == SQLITE_OK);
  std::string msg;
  BOOST_REQUIRE((db.exec("INSERT INTO t VALUES (1, 'b')", &msg) & 0xff) == SQLITE_CONSTRAINT);
  BOOST_TEST((classify(as_store_error(msg)) == write_failure::permanent), msg);
  BOOST_REQUIRE((db.exec("INSERT INTO t VALUES (2, NULL)", &msg) & 0xff) == SQLITE_CONSTRAINT);
  BOOST_TEST((classify(as_store_error(msg)) == write_failure::permanent), msg);
  BOOST_REQUIRE(db.exec("INSERT INTO nowhere VALUES (1)", &msg) == SQLITE_ERROR);
  BOOST_TEST((classify(as_store_error(msg)) == write_failure::permanent), msg);
  // Not SQLite's at all (e.g. a record the store refuses to write).
  BOOST_TEST((classify(error{"bad_record", "database is locked"}) == write_failure::permanent));
}

BOOST_AUTO_TEST_CASE(writes_wait_behind_a_refused_one_and_go_in_in_order) {
  temp_dir dir;
  auto opened = storage::store::open(dir.path + "/t.db");
  BOOST_REQUIRE(opened);
  auto& db = **opened;
  storage::call_record c;
  c.call_sid = "CA1";
  BOOST_REQUIRE(db.begin_call(c));

  write_queue q{{.initial_backoff = 50ms, .max_backoff = 150ms, .max_pending = 2}};
  int seq = 0;
  for (const char* text : {"first", "second", "third"})
    q.push(std::string{"append_turn "} + text,
           [&db, text, seq = seq++] { return db.append_turn(turn(text, seq)); });
  BOOST_TEST(q.over_cap()); // 3 > 2: still kept
  BOOST_TEST(q.backoff() == 50ms);
  {
    raw_connection other{dir.path + "/t.db"};
    BOOST_REQUIRE(other.exec("BEGIN EXCLUSIVE") == SQLITE_OK);
    auto d = q.drain();
    BOOST_REQUIRE(d.blocked_by.has_value());
    BOOST_TEST(d.written == 0u);
    BOOST_TEST(q.size() == 3u); // the refused one stays first, the rest behind it
    BOOST_TEST(q.backoff() == 100ms);
    (void)q.drain();
    BOOST_TEST(q.backoff() == 150ms); // doubled, capped
    BOOST_TEST(db.turns_for("CA1")->empty());
  } // the other connection closes: its transaction rolls back, the lock goes
  auto d = q.drain();
  BOOST_TEST(!d.blocked_by.has_value());
  BOOST_TEST(d.written == 3u);
  BOOST_TEST(q.empty());
  BOOST_TEST(q.backoff() == 50ms);
  auto turns = db.turns_for("CA1");
  BOOST_REQUIRE(turns);
  BOOST_REQUIRE(turns->size() == 3u);
  BOOST_TEST((*turns)[0].text == "first");
  BOOST_TEST((*turns)[1].text == "second");
  BOOST_TEST((*turns)[2].text == "third");
}

BOOST_AUTO_TEST_CASE(a_wrong_write_is_dropped_and_the_rest_go_in) {
  std::vector<std::string> ran;
  write_queue q;
  q.push("one", [&] {
    ran.push_back("one");
    return ok_status();
  });
  q.push("wrong", [&]() -> status {
    ran.push_back("wrong");
    return error{"sqlite", "finalize: UNIQUE constraint failed: jobs.call_sid"};
  });
  q.push("three", [&] {
    ran.push_back("three");
    return ok_status();
  });
  auto d = q.drain();
  BOOST_TEST(!d.blocked_by.has_value());
  BOOST_TEST(d.written == 2u);
  BOOST_REQUIRE(d.dropped.size() == 1u);
  BOOST_TEST(d.dropped[0].what == "wrong");
  BOOST_TEST(d.dropped[0].why.message.find("UNIQUE constraint failed") != std::string::npos);
  BOOST_TEST(ran == (std::vector<std::string>{"one", "wrong", "three"}),
             boost::test_tools::per_element());
  BOOST_TEST(q.empty());
}
