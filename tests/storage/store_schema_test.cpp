// Opening, migrating and refusing databases. The SQLite file cases run in
// the SQLite run only (store_test); store_pg_schema_test.cpp has
// PostgreSQL's.
#include "storage/store.hpp"

#include "storage/migrations.hpp"
#include "test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <fstream>

using sb::storage::store;
using sb::test::raw_db;
using sb::test::temp_dir;

BOOST_AUTO_TEST_SUITE(store_schema, *boost::unit_test::precondition(sb::test::sqlite_run))

BOOST_AUTO_TEST_CASE(migrates_an_empty_database_to_the_latest_version) {
  temp_dir dir;
  auto path = dir.file("fresh.db");
  {
    auto s = store::open(path);
    BOOST_TEST_REQUIRE(s.ok(), (s.ok() ? "" : s.err().message));
    BOOST_TEST((*s)->schema_version() == sb::storage::latest_schema_version());
  }
  raw_db raw(path);
  BOOST_TEST(raw.integer("PRAGMA user_version") == sb::storage::latest_schema_version());
  for (const char* table :
       {"tenants", "calls", "transcript_turns", "jobs", "notification_outbox"}) {
    BOOST_TEST(raw.integer(std::string("SELECT count(*) FROM sqlite_master WHERE type='table' "
                                       "AND name='") +
                           table + "'") == 1,
               table);
  }
  BOOST_TEST(raw.integer("SELECT count(*) FROM sqlite_master WHERE type='index' AND "
                         "name='jobs_tenant_date'") == 1);
}

BOOST_AUTO_TEST_CASE(has_at_least_two_migrations) {
  // The "migrate an existing database" path below needs a version between
  // empty and latest.
  BOOST_TEST(sb::storage::latest_schema_version() >= 2);
  BOOST_TEST(sb::storage::migrations().size() ==
             static_cast<size_t>(sb::storage::latest_schema_version()));
}

BOOST_AUTO_TEST_CASE(migrates_a_v1_database_and_keeps_its_data) {
  temp_dir dir;
  auto path = dir.file("old.db");
  {
    raw_db raw(path);
    raw.exec(std::string(sb::storage::migrations()[0]));
    raw.exec("PRAGMA user_version = 1");
    raw.exec("INSERT INTO tenants (number, name, push_url) "
             "VALUES ('+15551230000', 'Acme Plumbing', 'https://acme.example/push')");
    BOOST_TEST(raw.integer("SELECT count(*) FROM sqlite_master WHERE "
                           "name='notification_outbox'") == 0);
  }
  {
    auto s = store::open(path);
    BOOST_TEST_REQUIRE(s.ok(), (s.ok() ? "" : s.err().message));
    BOOST_TEST((*s)->schema_version() == sb::storage::latest_schema_version());
    auto t = (*s)->find_tenant("+15551230000");
    BOOST_TEST_REQUIRE(t.ok());
    BOOST_TEST_REQUIRE(t->has_value());
    BOOST_TEST((*t)->name == "Acme Plumbing");
    BOOST_TEST((*t)->push_url == "https://acme.example/push");
    BOOST_TEST((*t)->timezone == "UTC"); // column default of v1
    auto outbox = (*s)->list_outbox();   // the v2 table is usable
    BOOST_TEST_REQUIRE(outbox.ok());
    BOOST_TEST(outbox->empty());
  }
  raw_db raw(path);
  BOOST_TEST(raw.integer("PRAGMA user_version") == sb::storage::latest_schema_version());
  BOOST_TEST(raw.integer("SELECT count(*) FROM sqlite_master WHERE "
                         "name='notification_outbox'") == 1);
}

BOOST_AUTO_TEST_CASE(migrating_a_v2_database_keeps_both_texts_of_its_uncut_turns) {
  // v3 adds full_text: an uncut turn's text is all that was said; a cut
  // one's full text was overwritten before v3 and is not invented.
  temp_dir dir;
  auto path = dir.file("v2.db");
  {
    raw_db raw(path);
    raw.exec(std::string(sb::storage::migrations()[0]));
    raw.exec(std::string(sb::storage::migrations()[1]));
    raw.exec("PRAGMA user_version = 2");
    raw.exec("INSERT INTO transcript_turns (call_sid, seq, role, text, truncated) VALUES "
             "('CAold', 0, 'assistant', 'Hello, Acme here.', 0), "
             "('CAold', 1, 'assistant', 'We could...', 1)");
  }
  auto s = store::open(path);
  BOOST_TEST_REQUIRE(s.ok(), (s.ok() ? "" : s.err().message));
  auto turns = (*s)->turns_for("CAold");
  BOOST_TEST_REQUIRE(turns.ok());
  BOOST_TEST_REQUIRE(turns->size() == 2u);
  BOOST_TEST((*turns)[0].full_text == "Hello, Acme here.");
  BOOST_TEST((*turns)[1].text == "We could...");
  BOOST_TEST((*turns)[1].full_text == "");
}

BOOST_AUTO_TEST_CASE(reopening_a_current_database_changes_nothing) {
  temp_dir dir;
  auto path = dir.file("again.db");
  {
    auto s = store::open(path);
    BOOST_TEST_REQUIRE(s.ok());
    sb::storage::tenant t;
    t.number = "+15551230000";
    t.name = "Acme";
    BOOST_TEST_REQUIRE((*s)->add_tenant(t).ok());
  }
  auto s = store::open(path);
  BOOST_TEST_REQUIRE(s.ok(), (s.ok() ? "" : s.err().message));
  BOOST_TEST((*s)->schema_version() == sb::storage::latest_schema_version());
  auto all = (*s)->list_tenants();
  BOOST_TEST_REQUIRE(all.ok());
  BOOST_TEST(all->size() == 1u);
}

BOOST_AUTO_TEST_CASE(refuses_a_database_from_the_future) {
  temp_dir dir;
  auto path = dir.file("future.db");
  {
    raw_db raw(path);
    raw.exec("CREATE TABLE t (x); PRAGMA user_version = 99");
  }
  auto s = store::open(path);
  BOOST_TEST_REQUIRE(!s.ok());
  BOOST_TEST(s.err().code == "schema");
  BOOST_TEST(s.err().message.find("99") != std::string::npos, s.err().message);
  raw_db raw(path);
  BOOST_TEST(raw.integer("PRAGMA user_version") == 99); // left untouched
}

BOOST_AUTO_TEST_CASE(puts_the_database_in_wal_mode) {
  temp_dir dir;
  auto path = dir.file("wal.db");
  auto s = store::open(path);
  BOOST_TEST_REQUIRE(s.ok());
  // journal_mode=WAL is persistent: a fresh connection sees it too.
  raw_db raw(path);
  BOOST_TEST(raw.text("PRAGMA journal_mode") == "wal");
}

BOOST_AUTO_TEST_CASE(reports_an_unwritable_path_as_an_error) {
  auto s = store::open("/proc/no-such-dir/switchboard.db");
  BOOST_TEST_REQUIRE(!s.ok());
  BOOST_TEST(s.err().code == "sqlite");
  BOOST_TEST(s.err().message.find("/proc/no-such-dir/switchboard.db") != std::string::npos,
             s.err().message);
}

BOOST_AUTO_TEST_CASE(reports_a_directory_as_an_error) {
  temp_dir dir;
  auto s = store::open(dir.path().string());
  BOOST_TEST_REQUIRE(!s.ok());
  BOOST_TEST(s.err().code == "sqlite", s.err().message);
}

BOOST_AUTO_TEST_CASE(reports_a_file_that_is_not_a_database_as_an_error) {
  temp_dir dir;
  auto path = dir.file("garbage.db");
  {
    std::ofstream out(path, std::ios::binary);
    out << std::string(8192, 'x');
  }
  auto s = store::open(path);
  BOOST_TEST_REQUIRE(!s.ok());
  BOOST_TEST(s.err().code == "sqlite");
  BOOST_TEST(s.err().message.find("not a database") != std::string::npos, s.err().message);
}

BOOST_AUTO_TEST_SUITE_END()
