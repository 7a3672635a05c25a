#pragma once
// The tests' throwaway PostgreSQL server: bench/pg_server.hpp (the cluster
// demo starts one too), under the names the tests use.
#include "bench/pg_server.hpp"

namespace sb::test {
using bench::pg_bindir;
using bench::pg_database;
using bench::pg_exec;
using bench::pg_server_start;
using bench::pg_server_start_ms;
using bench::pg_server_stop;
} // namespace sb::test
