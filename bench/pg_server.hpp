#pragma once
// A throwaway PostgreSQL server for the tests and the cluster demo, one per test binary, started on
// first use and stopped at exit: initdb into a fresh temp dir, then the
// postmaster as a child process listening only on a Unix socket in that
// dir (no TCP port, so it cannot collide with another test binary or with
// a system cluster). Each test gets an empty namespace of its own: a schema
// on the server's database, named by the URL's search_path (CREATE SCHEMA,
// dropped when the test's `pg_database` goes).
//
// initdb and postgres refuse to run as root: under root (CI, this
// machine's test runs) the server runs as `nobody`, its temp dir chowned to
// it. The child asks for SIGQUIT (immediate shutdown) when this process
// dies (prctl PR_SET_PDEATHSIG), so a crashed test leaves no server behind;
// the temp dir is removed at normal exit.

#include <string>
#include <vector>

namespace sb::bench {

/// Where the PostgreSQL server binaries are (initdb, postgres):
/// $SB_PG_BINDIR, else the newest /usr/lib/postgresql/*/bin. Throws with a
/// clear message if there are none (scripts/setup.sh installs postgresql).
std::string pg_bindir();

/// One empty database for a store on the binary's server (a schema of its
/// own), dropped in the destructor.
class pg_database {
public:
  /// Starts the server on first use; throws std::runtime_error when it
  /// cannot (the test fails with the reason).
  pg_database();
  ~pg_database();
  pg_database(const pg_database&) = delete;
  pg_database& operator=(const pg_database&) = delete;

  /// postgresql:///postgres?host=SOCKET_DIR&port=PORT&user=switchboard
  /// &options=-csearch_path%3DNAME
  const std::string& url() const { return url_; }

private:
  std::string name_;
  std::string url_;
};

/// Runs `sql` (a script) on the database at `url`; throws on error.
void pg_exec(const std::string& url, const std::string& sql);

/// The first row of `sql`'s result at `url`, each column as text (empty
/// when there is no row); throws on error. For the benches' counters.
std::vector<std::string> pg_query_row(const std::string& url, const std::string& sql);

/// The postmaster's pid (its backends are its children), -1 if not running;
/// for the benches' CPU accounting.
int pg_server_pid();

/// Stops the binary's server (fast shutdown: every session is ended, as
/// in a restart or failover) and starts it again on the same data; for
/// tests of what the store does while the database is away.
void pg_server_stop();
void pg_server_start();

/// The server's start-up time in ms (initdb + postmaster ready), 0 if it
/// was not started; for the test logs.
long pg_server_start_ms();

} // namespace sb::bench
