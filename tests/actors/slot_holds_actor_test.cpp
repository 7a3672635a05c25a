// The slot_holds actor: one owner of every live call's holds; a call's holds
// go when its supervisor says the call is over, and when the supervisor
// terminates whatever the reason (it is monitored).
#include "actors/slot_holds.hpp"

#define BOOST_TEST_MODULE slot_holds_actor
#include <boost/test/unit_test.hpp>

#include <caf/all.hpp>

#include <chrono>
#include <thread>

using namespace sb::actors;
using namespace std::chrono_literals;

namespace {

/// An actor system, the holds actor, and stand-ins for call supervisors.
struct fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  slot_holds_actor holds = spawn_slot_holds(sys, 60);

  ~fixture() { caf::anon_send_exit(holds, caf::exit_reason::user_shutdown); }

  caf::actor supervisor() {
    // One spawn argument: CAF 0.17's init_fun_factory binds a null reference
    // for a function actor with none (UBSan; actors/ask.hpp does the same).
    return sys.spawn([](int) -> caf::behavior { return {[](int) {}}; }, 0);
  }

  hold_reply hold(const std::string& call_sid, const caf::actor& owner, const std::string& time,
                  bool replace = false) {
    caf::scoped_actor self{sys};
    hold_reply out;
    self->request(holds, 5s,
                  hold_slot{"+15551230000", "2030-01-02", time, call_sid, owner.address(), replace})
        .receive([&](hold_reply& r) { out = std::move(r); },
                 [](caf::error& e) { BOOST_FAIL("hold_slot: " << caf::to_string(e)); });
    return out;
  }

  int count() {
    caf::scoped_actor self{sys};
    int n = -1;
    self->request(holds, 5s, count_atom::value)
        .receive([&](int c) { n = c; },
                 [](caf::error& e) { BOOST_FAIL("count: " << caf::to_string(e)); });
    return n;
  }

  /// Polls count() until it is `n` (bounded: 5 s).
  bool wait_for_count(int n) {
    for (int i = 0; i < 500; ++i) {
      if (count() == n)
        return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }
};

} // namespace

BOOST_FIXTURE_TEST_CASE(a_second_call_is_refused_the_held_slot, fixture) {
  auto a = supervisor(), b = supervisor();
  BOOST_TEST(hold("CA1", a, "10:00").held);
  auto r = hold("CA2", b, "10:30");
  BOOST_TEST(!r.held);
  BOOST_TEST(r.conflicts == (std::vector<std::string>{"10:00"}), boost::test_tools::per_element());
  BOOST_TEST(hold("CA2", b, "11:00").held);
  BOOST_TEST(count() == 2);
  caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(b, caf::exit_reason::user_shutdown);
}

BOOST_FIXTURE_TEST_CASE(release_frees_the_calls_slots, fixture) {
  auto a = supervisor(), b = supervisor();
  BOOST_TEST(hold("CA1", a, "10:00").held);
  BOOST_TEST(hold("CA1", a, "14:00").held);
  caf::anon_send(holds, release_holds{"CA1"});
  BOOST_TEST(wait_for_count(0));
  BOOST_TEST(hold("CA2", b, "10:00").held);
  caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(b, caf::exit_reason::user_shutdown);
}

BOOST_FIXTURE_TEST_CASE(holds_die_with_their_supervisor, fixture) {
  auto a = supervisor(), b = supervisor();
  BOOST_TEST(hold("CA1", a, "10:00").held);
  BOOST_TEST(hold("CA2", b, "13:00").held);
  caf::anon_send_exit(a, caf::exit_reason::kill); // no release: it just died
  BOOST_TEST(wait_for_count(1));
  auto c = supervisor();
  BOOST_TEST(hold("CA3", c, "10:00").held); // 10:00 is free for a new call
  caf::anon_send_exit(b, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(c, caf::exit_reason::user_shutdown);
}

BOOST_FIXTURE_TEST_CASE(nothing_stays_held_for_a_call_already_gone, fixture) {
  auto a = supervisor();
  auto addr = a.address();
  caf::anon_send_exit(a, caf::exit_reason::kill);
  a = nullptr;
  caf::scoped_actor self{sys};
  for (int i = 0; i < 500 && caf::actor_cast<caf::actor>(addr); ++i)
    std::this_thread::sleep_for(10ms);
  // A late hold_slot (its tool answer raced the call's end) holds nothing
  // for long: refused, or released as the monitor reports the call gone.
  self->request(holds, 5s, hold_slot{"+15551230000", "2030-01-02", "10:00", "CA1", addr, false})
      .receive([](hold_reply&) {}, [](caf::error& e) { BOOST_FAIL(caf::to_string(e)); });
  BOOST_TEST(wait_for_count(0));
}
