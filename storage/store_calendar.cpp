// store: a tenant's calendar settings (issue 17.6): the slot length and how
// many bookings one slot takes, changed by `tenants update` while the server
// runs; calls see them when the tenant cache next reloads the tenant.
#include "storage/store.hpp"
#include "storage/store_impl.hpp"

namespace sb::storage {

result<bool> store::set_tenant_slots(const std::string& number, std::optional<int> slot_minutes,
                                     std::optional<int> slot_capacity) {
  // ?2 / ?3 NULL: keep the column as it is.
  auto q = impl_->db->prepare("UPDATE tenants SET slot_minutes = COALESCE(?2, slot_minutes),"
                              " slot_capacity = COALESCE(?3, slot_capacity) WHERE number = ?1",
                              "update the slots of tenant " + number);
  if (!q)
    return q.err();
  q->bind_text(1, number);
  if (slot_minutes)
    q->bind_int(2, *slot_minutes);
  if (slot_capacity)
    q->bind_int(3, *slot_capacity);
  if (auto s = q->run(); !s)
    return s.err();
  return impl_->db->changes() > 0;
}

} // namespace sb::storage
