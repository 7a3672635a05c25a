// PostgreSQL's side of the schema: every migration has a PostgreSQL text, a
// fresh database migrates to the latest version, a database from the
// future is refused, and connection errors are values that never show the
// URL's password. Runs in store_test_pg (SB_TEST_BACKEND=postgres); the
// migration texts are checked in both runs.
#include "storage/store.hpp"

#include "storage/migrations.hpp"
#include "test_support.hpp"

#include <boost/test/unit_test.hpp>

using sb::storage::store;
using sb::test::temp_dir;

namespace {

bool postgres_run(unsigned long) {
  return sb::test::testing_postgres();
}

} // namespace

BOOST_AUTO_TEST_SUITE(pg_schema)

BOOST_AUTO_TEST_CASE(every_migration_has_a_postgresql_text) {
  const auto& pg = sb::storage::postgres_migrations();
  for (int v = 1; v <= sb::storage::latest_schema_version(); ++v) {
    auto it = pg.find(v);
    BOOST_TEST((it != pg.end() && !it->second.empty()),
               "migration v" << v << " has no PostgreSQL text (storage/migrations_pg.cpp)");
  }
  // And none for a migration that does not exist.
  BOOST_TEST(pg.size() == static_cast<size_t>(sb::storage::latest_schema_version()));
}

BOOST_AUTO_TEST_CASE(migrates_an_empty_database_to_the_latest_version,
                     *boost::unit_test::precondition(postgres_run)) {
  temp_dir dir;
  auto url = dir.store_location("fresh");
  {
    auto s = store::open(url);
    BOOST_TEST_REQUIRE(s.ok(), (s.ok() ? "" : s.err().message));
    BOOST_TEST((*s)->schema_version() == sb::storage::latest_schema_version());
  }
  // Reopening changes nothing and keeps the rows.
  sb::test::pg_exec(url, "INSERT INTO tenants (number, name) VALUES ('+15550000000', 'Kept')");
  auto again = store::open(url);
  BOOST_TEST_REQUIRE(again.ok(), (again.ok() ? "" : again.err().message));
  BOOST_TEST((*again)->schema_version() == sb::storage::latest_schema_version());
  auto t = (*again)->find_tenant("+15550000000");
  BOOST_TEST_REQUIRE(t.ok());
  BOOST_TEST_REQUIRE(t->has_value());
  BOOST_TEST((*t)->name == "Kept");
}

BOOST_AUTO_TEST_CASE(refuses_a_database_from_the_future,
                     *boost::unit_test::precondition(postgres_run)) {
  temp_dir dir;
  auto url = dir.store_location("future");
  BOOST_TEST_REQUIRE(store::open(url).ok());
  sb::test::pg_exec(url, "UPDATE schema_version SET version = " +
                             std::to_string(sb::storage::latest_schema_version() + 1));
  auto s = store::open(url);
  BOOST_TEST_REQUIRE(!s.ok());
  BOOST_TEST(s.err().code == "schema");
}

BOOST_AUTO_TEST_CASE(a_failed_connection_is_an_error_without_the_password,
                     *boost::unit_test::precondition(postgres_run)) {
  temp_dir dir;
  // The throwaway server has no such database (and trusts its socket, so
  // the password is never asked for: the URL is only refused by name).
  auto url = dir.store_location("unused");
  auto host = url.substr(url.find("?host="));
  auto bad = "postgresql://switchboard:s3cret-pw@/no_such_db" + host;
  auto s = store::open(bad);
  BOOST_TEST_REQUIRE(!s.ok());
  BOOST_TEST(s.err().code == "postgres");
  BOOST_TEST(s.err().message.find("no_such_db") != std::string::npos, s.err().message);
  BOOST_TEST(s.err().message.find("s3cret-pw") == std::string::npos, s.err().message);
  BOOST_TEST(s.err().message.find("***") != std::string::npos, s.err().message);
}

BOOST_AUTO_TEST_CASE(a_password_libpq_cannot_decode_is_not_quoted_back) {
  // libpq's parse error quotes the token it could not percent-decode: the
  // password itself here. No server is needed: the URL is refused first.
  auto s = store::open("postgresql://switchboard:s3cret%zz@127.0.0.1:1/db");
  BOOST_TEST_REQUIRE(!s.ok());
  BOOST_TEST(s.err().code == "postgres");
  BOOST_TEST(s.err().message.find("s3cret") == std::string::npos, s.err().message);
}

BOOST_AUTO_TEST_SUITE_END()
