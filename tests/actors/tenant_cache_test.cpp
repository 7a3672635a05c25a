// The webhook's tenant cache (actors/tenant_cache.hpp): its two TTLs, and
// the stamp that keeps a look-up racing a change from caching the old
// tenant. Times are passed in, so no test waits.
#include "actors/tenant_cache.hpp"

#define BOOST_TEST_MODULE tenant_cache
#include <boost/test/unit_test.hpp>

using sb::actors::tenant_cache;

namespace {

const std::string number = "+15551230000";

std::shared_ptr<const sb::storage::tenant> tenant_named(const std::string& name) {
  auto t = std::make_shared<sb::storage::tenant>();
  t->number = number;
  t->name = name;
  return t;
}

} // namespace

BOOST_AUTO_TEST_CASE(keeps_a_tenant_for_the_short_ttl_unless_changes_are_pushed) {
  tenant_cache cache(2'000, 60'000);
  cache.put(tenant_named("Acme"), number, 1'000, cache.stamp());
  BOOST_TEST(cache.find(number, 2'999) != nullptr);
  BOOST_TEST(cache.find(number, 3'000) == nullptr);

  cache.set_pushed(true); // cleared: nothing was heard before
  BOOST_TEST(cache.find(number, 1'000) == nullptr);
  cache.put(tenant_named("Acme"), number, 1'000, cache.stamp());
  BOOST_TEST(cache.find(number, 60'999)->name == "Acme");
  BOOST_TEST(cache.find(number, 61'000) == nullptr);

  // The listener lost its connection: every entry is held to the short TTL.
  cache.put(tenant_named("Acme"), number, 10'000, cache.stamp());
  cache.set_pushed(false);
  BOOST_TEST(!cache.pushed());
  BOOST_TEST(cache.find(number, 11'999) != nullptr);
  BOOST_TEST(cache.find(number, 12'000) == nullptr);
}

BOOST_AUTO_TEST_CASE(forgets_a_changed_tenant_and_clears_on_request) {
  tenant_cache cache;
  cache.put(tenant_named("Acme"), number, 0, cache.stamp());
  cache.put(tenant_named("Other"), "+15550000000", 0, cache.stamp());
  cache.forget(number);
  BOOST_TEST(cache.find(number, 1) == nullptr);
  BOOST_TEST(cache.find("+15550000000", 1) != nullptr);
  cache.clear();
  BOOST_TEST(cache.find("+15550000000", 1) == nullptr);
}

BOOST_AUTO_TEST_CASE(drops_a_look_up_older_than_a_change_it_raced) {
  // The registry takes the stamp, storage reads the old tenant, the change's
  // notification comes (forget), then the old tenant arrives to be cached.
  tenant_cache cache(2'000, 60'000);
  cache.set_pushed(true);
  auto before = cache.stamp();
  cache.forget(number);
  cache.put(tenant_named("Old"), number, 0, before);
  BOOST_TEST(cache.find(number, 1) == nullptr);
  // A clear (a reconnect) makes every earlier stamp old too.
  before = cache.stamp();
  cache.set_pushed(true);
  cache.put(tenant_named("Old"), number, 0, before);
  BOOST_TEST(cache.find(number, 1) == nullptr);
  // Read after the change: cached.
  cache.put(tenant_named("New"), number, 0, cache.stamp());
  BOOST_TEST(cache.find(number, 1)->name == "New");
  // A tenant of unknown age never is.
  cache.forget(number);
  cache.put(tenant_named("Held"), number, 0, tenant_cache::stale);
  BOOST_TEST(cache.find(number, 1) == nullptr);
}
