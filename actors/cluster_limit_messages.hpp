#pragma once
// Messages of the per-tenant concurrency limit held across nodes (issue
// 16.2): the registry asks the storage actor to admit a call of a limited
// tenant through the database (store::admit_call), on PostgreSQL only
// (actors/webhook_answer.hpp, cluster_limited).

#include "actors/admission.hpp"
#include "actors/inspect_records.hpp"
#include "storage/records.hpp"

#include <caf/meta/type_name.hpp>

#include <cstdint>

namespace sb::actors {

/// Admit `call` (tenant_number and node_id set) if its tenant has fewer
/// than `limit` open calls on live nodes; its row is written if so. The
/// tenant's lock is waited for at most lock_wait_ms. Answered with
/// cluster_admission; a database that cannot answer is an error.
struct cluster_admit {
  storage::call_record call;
  int limit = 0;
  int64_t lock_wait_ms = 0;
};

/// admitted, already_admitted (the CallSid has a row) or tenant_busy.
struct cluster_admission {
  admission_verdict verdict = admission_verdict::tenant_busy;
};

template <class F> auto inspect(F& f, cluster_admit& x) {
  return f(caf::meta::type_name("cluster_admit"), x.call, x.limit, x.lock_wait_ms);
}
template <class F> auto inspect(F& f, cluster_admission& x) {
  return f(caf::meta::type_name("cluster_admission"), x.verdict);
}

} // namespace sb::actors
