// Tenants through the store's API, on real files (calls and jobs:
// store_calls_test.cpp).
#include "storage/store.hpp"

#define BOOST_TEST_MODULE store
#include <boost/test/unit_test.hpp>

#include "fresh_store.hpp"
#include "test_support.hpp"

using namespace sb::storage;
using sb::test::acme;
using sb::test::fresh_store;
using sb::test::turn;

// -- tenants ------------------------------------------------------------------

BOOST_FIXTURE_TEST_SUITE(tenants, fresh_store)

BOOST_AUTO_TEST_CASE(adds_finds_lists_and_removes_tenants) {
  auto b = acme();
  b.number = "+15550001111";
  b.name = "Best Electric";
  b.timezone = "America/Chicago";
  BOOST_TEST_REQUIRE(db->add_tenant(acme()).ok());
  BOOST_TEST_REQUIRE(db->add_tenant(b).ok());

  auto found = db->find_tenant("+15550001111");
  BOOST_TEST_REQUIRE(found.ok());
  BOOST_TEST_REQUIRE(found->has_value());
  BOOST_TEST((*found)->name == "Best Electric");
  BOOST_TEST((*found)->timezone == "America/Chicago");
  BOOST_TEST((*found)->hours == "mon-fri 08:00-17:00");
  BOOST_TEST((*found)->id > 0);

  auto all = db->list_tenants();
  BOOST_TEST_REQUIRE(all.ok());
  BOOST_TEST_REQUIRE(all->size() == 2u);
  BOOST_TEST((*all)[0].number == "+15550001111"); // ordered by number
  BOOST_TEST((*all)[1].greeting == "Thanks for calling Acme!");

  auto removed = db->remove_tenant("+15550001111");
  BOOST_TEST_REQUIRE(removed.ok());
  BOOST_TEST(*removed);
  auto again = db->remove_tenant("+15550001111");
  BOOST_TEST_REQUIRE(again.ok());
  BOOST_TEST(!*again);
  auto gone = db->find_tenant("+15550001111");
  BOOST_TEST_REQUIRE(gone.ok());
  BOOST_TEST(!gone->has_value());
}

BOOST_AUTO_TEST_CASE(round_trips_a_tenants_languages_and_greetings) {
  auto t = acme();
  t.language = "es";
  t.languages = {"en", "fr"};
  t.greetings = {{"es", "Gracias por llamar, ¿en qué puedo ayudarle?"},
                 {"fr", "Merci d'avoir appelé = bonjour"}};
  BOOST_TEST_REQUIRE(db->add_tenant(t).ok());
  auto found = db->find_tenant(t.number);
  BOOST_TEST_REQUIRE((found.ok() && found->has_value()));
  BOOST_TEST((*found)->language == "es");
  BOOST_TEST((*found)->languages == t.languages, boost::test_tools::per_element());
  BOOST_TEST_REQUIRE((*found)->greetings.size() == 2u);
  BOOST_TEST((*found)->greetings.at("es") == t.greetings.at("es"));
  BOOST_TEST((*found)->greetings.at("fr") == t.greetings.at("fr")); // '=' in the text kept
  auto plain = acme();
  plain.number = "+15550002222";
  BOOST_TEST_REQUIRE(db->add_tenant(plain).ok());
  auto p = db->find_tenant(plain.number);
  BOOST_TEST_REQUIRE((p.ok() && p->has_value()));
  BOOST_TEST((*p)->languages.empty());
  BOOST_TEST((*p)->greetings.empty());
}

BOOST_AUTO_TEST_CASE(rejects_a_duplicate_number) {
  BOOST_TEST_REQUIRE(db->add_tenant(acme()).ok());
  auto dup = acme();
  dup.name = "Impostor";
  auto s = db->add_tenant(dup);
  BOOST_TEST_REQUIRE(!s.ok());
  BOOST_TEST(s.err().code == "exists");
  auto t = db->find_tenant(acme().number);
  BOOST_TEST_REQUIRE(t.ok());
  BOOST_TEST((*t)->name == "Acme Plumbing");
}

BOOST_AUTO_TEST_CASE(stores_sql_looking_strings_verbatim) {
  auto t = acme();
  t.name = "Robert'); DROP TABLE tenants;--";
  t.context = "50% off \"today\" \\ ? ?1 :name @x $y -- /* */ \xE2\x9C\x93";
  BOOST_TEST_REQUIRE(db->add_tenant(t).ok());
  auto found = db->find_tenant(t.number);
  BOOST_TEST_REQUIRE(found.ok());
  BOOST_TEST_REQUIRE(found->has_value());
  BOOST_TEST((*found)->name == t.name);
  BOOST_TEST((*found)->context == t.context);
  auto all = db->list_tenants();
  BOOST_TEST_REQUIRE(all.ok());
  BOOST_TEST(all->size() == 1u);
  // A string with an embedded NUL survives too (bound with its length).
  // PostgreSQL's text cannot hold a NUL: there the write is refused, saying
  // why, and nothing is written.
  std::string with_nul("before\0after", 12);
  auto appended = db->append_turn(turn("CA1", 0, "caller", with_nul));
  if (sb::test::testing_postgres()) {
    BOOST_TEST_REQUIRE(!appended.ok());
    BOOST_TEST(appended.err().message.find("NUL") != std::string::npos, appended.err().message);
    auto none = db->turns_for("CA1");
    BOOST_TEST_REQUIRE(none.ok());
    BOOST_TEST(none->empty());
    return;
  }
  BOOST_TEST_REQUIRE(appended.ok());
  auto turns = db->turns_for("CA1");
  BOOST_TEST_REQUIRE(turns.ok());
  BOOST_TEST((*turns)[0].text == with_nul);
  BOOST_TEST((*turns)[0].text.size() == 12u);
}

BOOST_AUTO_TEST_SUITE_END()
