#include "bench/pg_server.hpp"

#include <libpq-fe.h>

#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace sb::bench {

namespace fs = std::filesystem;

namespace {

constexpr const char* superuser = "switchboard";
constexpr int port = 5432; // names the socket file in our own dir only

struct run_as {
  bool drop = false; // we are root: become `nobody`
  uid_t uid = 0;
  gid_t gid = 0;
};

run_as unprivileged() {
  run_as who;
  if (geteuid() != 0)
    return who;
  const passwd* pw = getpwnam("nobody");
  if (pw == nullptr)
    throw std::runtime_error("pg_server: running as root and there is no user 'nobody' to run "
                             "PostgreSQL as (initdb refuses root)");
  who.drop = true;
  who.uid = pw->pw_uid;
  who.gid = pw->pw_gid;
  return who;
}

/// fork + exec `argv` as `who`, output to `log`. The child gets SIGQUIT if
/// this process dies. Returns the child's pid.
pid_t spawn(const std::vector<std::string>& argv, const run_as& who, const std::string& log) {
  std::vector<char*> args;
  for (const auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0)
    throw std::runtime_error("pg_server: fork failed");
  if (pid == 0) {
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    if (who.drop && (setgroups(0, nullptr) != 0 || setgid(who.gid) != 0 || setuid(who.uid) != 0))
      _exit(126);
    // After setuid: a change of credentials clears the death signal.
    prctl(PR_SET_PDEATHSIG, SIGQUIT);
    if (getppid() != parent)
      _exit(125);
    execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}

int wait_for(pid_t pid) {
  int st = 0;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class server {
public:
  server() {
    auto t0 = std::chrono::steady_clock::now();
    std::string bin = pg_bindir();
    std::string tmpl = (fs::temp_directory_path() / "sb-pg-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr)
      throw std::runtime_error("pg_server: mkdtemp failed");
    dir_ = tmpl;
    run_as who = unprivileged();
    if (who.drop && chown(dir_.c_str(), who.uid, who.gid) != 0)
      throw std::runtime_error("pg_server: cannot chown " + dir_ + " to nobody");
    std::string log = dir_ + "/server.log";
    // -N: no fsync; trust: only this socket's users can reach it anyway.
    int rc = wait_for(spawn({bin + "/initdb", "-D", dir_ + "/data", "-U", superuser, "--auth=trust",
                             "-E", "UTF8", "--locale=C", "-N"},
                            who, dir_ + "/initdb.log"));
    if (rc != 0)
      fail("initdb exited with " + std::to_string(rc), dir_ + "/initdb.log");
    bin_ = bin;
    who_ = who;
    base_ = "postgresql:///postgres?host=" + dir_ + "&port=" + std::to_string(port) +
            "&user=" + superuser;
    launch();
    start_ms_ =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
            .count();
  }

  ~server() {
    stop();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  /// Runs one statement on the server's database.
  void admin(const std::string& sql) { pg_exec(base_, sql); }

  /// A connection whose tables go into (and are found in) `schema`.
  std::string url(const std::string& schema) const {
    return base_ + "&options=-csearch_path%3D" + schema;
  }

  long start_ms() const { return start_ms_; }
  int pid() const { return pid_; }

  /// Fast shutdown (SIGINT): open sessions are ended, the data stays.
  void stop() {
    if (pid_ > 0) {
      kill(pid_, SIGINT);
      wait_for(pid_);
      pid_ = -1;
    }
  }

  /// The postmaster on the data dir, ready for connections (bounded at 30 s).
  void launch() {
    if (pid_ > 0)
      return;
    std::string log = dir_ + "/server.log";
    pid_ = spawn({bin_ + "/postgres", "-D", dir_ + "/data", "-k", dir_, "-p", std::to_string(port),
                  "-c", "listen_addresses=", "-c", "fsync=off", "-c", "synchronous_commit=off",
                  "-c", "full_page_writes=off"},
                 who_, log);
    for (int i = 0;; ++i) {
      if (PQping(base_.c_str()) == PQPING_OK)
        break;
      if (i >= 600 || waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        fail("postgres did not start", log);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

private:
  [[noreturn]] void fail(const std::string& what, const std::string& log) {
    std::string text = read_file(log);
    std::error_code ec;
    fs::remove_all(dir_, ec);
    throw std::runtime_error("pg_server: " + what + "; its log:\n" + text);
  }

  std::string dir_;
  std::string bin_;
  run_as who_;
  std::string base_;
  pid_t pid_ = -1;
  long start_ms_ = 0;
};

// Function-local static: started on first use, destroyed at exit.
server& the_server() {
  static server s;
  return s;
}

std::atomic<int> next_db{0};

void ignore_notice(void*, const char*) {}

} // namespace

std::string pg_bindir() {
  if (const char* env = std::getenv("SB_PG_BINDIR"); env != nullptr && *env != '\0')
    return env;
  std::string best;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    auto bin = e.path() / "bin";
    if (fs::exists(bin / "initdb") && fs::exists(bin / "postgres") && bin.string() > best)
      best = bin.string();
  }
  if (best.empty())
    throw std::runtime_error("PostgreSQL server binaries (initdb, postgres) not found under "
                             "/usr/lib/postgresql/*/bin nor $SB_PG_BINDIR: run "
                             "scripts/setup.sh (it installs Debian's postgresql)");
  return best;
}

pg_database::pg_database() {
  auto& s = the_server();
  name_ = "t" + std::to_string(getpid()) + "_" + std::to_string(++next_db);
  // A schema, not a database: CREATE DATABASE took 0.8-1 s here (it copies
  // a template and checkpoints), CREATE SCHEMA milliseconds; the store sees
  // the same thing, an empty namespace its tables go into (search_path).
  s.admin("CREATE SCHEMA " + name_);
  url_ = s.url(name_);
}

pg_database::~pg_database() {
  try {
    the_server().admin("DROP SCHEMA IF EXISTS " + name_ + " CASCADE");
  } catch (const std::exception&) {
    // the server goes at exit with everything in it
  }
}

void pg_exec(const std::string& url, const std::string& sql) {
  std::unique_ptr<PGconn, decltype(&PQfinish)> c(PQconnectdb(url.c_str()), PQfinish);
  if (PQstatus(c.get()) != CONNECTION_OK)
    throw std::runtime_error("pg_exec: connect: " + std::string(PQerrorMessage(c.get())));
  PQsetNoticeProcessor(c.get(), ignore_notice, nullptr); // "drop cascades to ..."
  std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(c.get(), sql.c_str()), PQclear);
  auto st = PQresultStatus(r.get());
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
    throw std::runtime_error("pg_exec: " + std::string(PQerrorMessage(c.get())));
}

std::vector<std::string> pg_query_row(const std::string& url, const std::string& sql) {
  std::unique_ptr<PGconn, decltype(&PQfinish)> c(PQconnectdb(url.c_str()), PQfinish);
  if (PQstatus(c.get()) != CONNECTION_OK)
    throw std::runtime_error("pg_query_row: connect: " + std::string(PQerrorMessage(c.get())));
  std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(c.get(), sql.c_str()), PQclear);
  if (PQresultStatus(r.get()) != PGRES_TUPLES_OK)
    throw std::runtime_error("pg_query_row: " + std::string(PQerrorMessage(c.get())));
  std::vector<std::string> row;
  if (PQntuples(r.get()) > 0)
    for (int i = 0; i < PQnfields(r.get()); ++i)
      row.emplace_back(PQgetvalue(r.get(), 0, i));
  return row;
}

int pg_server_pid() {
  return the_server().pid();
}

void pg_server_stop() {
  the_server().stop();
}

void pg_server_start() {
  the_server().launch();
}

long pg_server_start_ms() {
  return the_server().start_ms();
}

} // namespace sb::bench
