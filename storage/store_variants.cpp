// store: a tenant's A/B variants (issue 17.2) and the per-variant outcomes.
// Variants are rows the CLI writes while the server runs; find_tenant reads
// the live ones, so they reach calls when the tenant cache next reloads
// (actors/call_admit.cpp: every webhook that misses the cache looks the
// tenant up again).
#include "common/time.hpp"
#include "storage/store.hpp"
#include "storage/store_impl.hpp"

namespace sb::storage {

using detail::collect;
using detail::query;

status store::add_variant(const std::string& tenant_number, const variant& v) {
  auto q = impl_->db->prepare(
      "INSERT INTO tenant_variants (tenant_number, name, voice, greeting, instructions, weight,"
      " created_at) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7"
      " WHERE NOT EXISTS (SELECT 1 FROM tenant_variants WHERE tenant_number = ?1 AND name = ?2"
      " AND retired_at = 0)",
      "add variant " + v.name);
  if (!q)
    return q.err();
  q->bind_text(1, tenant_number).bind_text(2, v.name).bind_text(3, v.voice);
  q->bind_text(4, v.greeting).bind_text(5, v.instructions).bind_int(6, v.weight);
  q->bind_int(7, now_ms());
  if (auto s = q->run(); !s)
    return s.err();
  if (impl_->db->changes() == 0)
    return error{"exists", "variant " + v.name + " of " + tenant_number + " exists"};
  return ok_t{};
}

result<bool> store::retire_variant(const std::string& tenant_number, const std::string& name) {
  auto q = impl_->db->prepare("UPDATE tenant_variants SET retired_at = ?3 WHERE tenant_number = ?1"
                              " AND name = ?2 AND retired_at = 0",
                              "retire variant " + name);
  if (!q)
    return q.err();
  q->bind_text(1, tenant_number).bind_text(2, name).bind_int(3, now_ms());
  if (auto s = q->run(); !s)
    return s.err();
  return impl_->db->changes() > 0;
}

result<std::vector<variant>> store::variants_of(const std::string& tenant_number) {
  auto q = impl_->db->prepare("SELECT name, voice, greeting, instructions, weight FROM"
                              " tenant_variants WHERE tenant_number = ?1 AND retired_at = 0"
                              " ORDER BY id",
                              "variants of " + tenant_number);
  if (!q)
    return q.err();
  q->bind_text(1, tenant_number);
  return collect<variant>(*q, [](const query& r) {
    return variant{r.text_at(0), r.text_at(1), r.text_at(2), r.text_at(3),
                   static_cast<int>(r.int_at(4))};
  });
}

result<std::vector<variant_outcome>> store::variant_report(const std::string& tenant_number) {
  using namespace std::string_literals;
  auto q = impl_->db->prepare(
      "SELECT c.variant, count(*), sum("s + detail::booked_sql +
          "), sum(CASE WHEN"
          " c.transfer_reason <> '' THEN 1 ELSE 0 END), sum(" +
          detail::voicemail_sql +
          "),"
          " sum(CASE WHEN c.ended_at > c.started_at THEN c.ended_at - c.started_at ELSE 0 END),"
          " sum(c.barge_ins), sum(c.cost_usd), (SELECT count(*) FROM transcript_turns t JOIN calls "
          "d"
          "   ON d.call_sid = t.call_sid WHERE d.tenant_number = ?1 AND d.variant = c.variant"
          "   AND t.role = 'assistant' AND t.latency_ms >= 0),"
          " (SELECT COALESCE(sum(t.latency_ms), 0) FROM transcript_turns t JOIN calls d"
          "   ON d.call_sid = t.call_sid WHERE d.tenant_number = ?1 AND d.variant = c.variant"
          "   AND t.role = 'assistant' AND t.latency_ms >= 0)"
          " FROM calls c LEFT JOIN jobs j ON j.call_sid = c.call_sid WHERE c.tenant_number = ?1"
          " GROUP BY c.variant ORDER BY c.variant",
      "variant report of " + tenant_number);
  if (!q)
    return q.err();
  q->bind_text(1, tenant_number);
  return collect<variant_outcome>(*q, [](const query& r) {
    variant_outcome o;
    o.variant = r.text_at(0);
    o.calls = static_cast<int>(r.int_at(1));
    o.booked = static_cast<int>(r.int_at(2));
    o.transferred = static_cast<int>(r.int_at(3));
    o.voicemails = static_cast<int>(r.int_at(4));
    o.duration_ms = r.int_at(5);
    o.barge_ins = r.int_at(6);
    o.cost_usd = r.double_at(7);
    o.latency_turns = r.int_at(8);
    o.latency_sum_ms = r.int_at(9);
    return o;
  });
}

} // namespace sb::storage
