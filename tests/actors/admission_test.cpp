// call_admission, the one count of who may ring through (actors/admission.hpp).
#include "actors/admission.hpp"

#define BOOST_TEST_MODULE admission
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <thread>
#include <vector>

using sb::actors::admission_verdict;
using sb::actors::call_admission;
using sb::actors::call_limits;

BOOST_AUTO_TEST_CASE(the_tenant_cap_counts_live_calls_and_a_release_frees_a_place) {
  call_admission a;
  call_limits l{2, 0, 0};
  BOOST_TEST((a.admit("CA1", "+1", l, 0) == admission_verdict::admitted));
  BOOST_TEST((a.admit("CA2", "+1", l, 0) == admission_verdict::admitted));
  BOOST_TEST((a.admit("CA3", "+1", l, 0) == admission_verdict::tenant_busy));
  BOOST_TEST((a.admit("CA4", "+2", l, 0) == admission_verdict::admitted)); // another tenant
  a.release("CA1");
  a.release("CA1"); // idempotent
  BOOST_TEST(a.live("+1") == 1);
  BOOST_TEST((a.admit("CA3", "+1", l, 0) == admission_verdict::admitted));
}

BOOST_AUTO_TEST_CASE(a_retried_call_sid_is_admitted_again_without_counting_twice) {
  call_admission a;
  call_limits l{1, 1, 0};
  BOOST_TEST((a.admit("CA1", "+1", l, 0) == admission_verdict::admitted));
  BOOST_TEST((a.admit("CA1", "+1", l, 10) == admission_verdict::already_admitted));
  BOOST_TEST(a.live_total() == 1);
}

BOOST_AUTO_TEST_CASE(calls_per_minute_is_a_sliding_sixty_seconds) {
  call_admission a;
  call_limits l{0, 2, 0};
  BOOST_TEST((a.admit("CA1", "+1", l, 1'000) == admission_verdict::admitted));
  BOOST_TEST((a.admit("CA2", "+1", l, 30'000) == admission_verdict::admitted));
  a.release("CA1");
  a.release("CA2");
  BOOST_TEST((a.admit("CA3", "+1", l, 60'999) == admission_verdict::tenant_rate));
  BOOST_TEST((a.admit("CA3", "+1", l, 61'000) == admission_verdict::admitted)); // CA1 aged out
  BOOST_TEST((a.admit("CA4", "+1", l, 61'000) == admission_verdict::tenant_rate));
}

BOOST_AUTO_TEST_CASE(the_server_cap_spans_tenants) {
  call_admission a;
  call_limits l{0, 0, 2};
  BOOST_TEST((a.admit("CA1", "+1", l, 0) == admission_verdict::admitted));
  BOOST_TEST((a.admit("CA2", "+2", l, 0) == admission_verdict::admitted));
  BOOST_TEST((a.admit("CA3", "+3", l, 0) == admission_verdict::server_busy));
}

BOOST_AUTO_TEST_CASE(zero_means_no_limit) {
  call_admission a;
  for (int i = 0; i < 1000; ++i)
    BOOST_TEST(
        (a.admit("CA" + std::to_string(i), "+1", call_limits{}, 0) == admission_verdict::admitted));
}

BOOST_AUTO_TEST_CASE(threads_racing_admit_exactly_the_cap) {
  call_admission a;
  call_limits l{7, 0, 0};
  std::atomic<int> admitted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i)
        if (a.admit("CA" + std::to_string(t * 100 + i), "+1", l, 0) == admission_verdict::admitted)
          ++admitted;
    });
  for (auto& th : threads)
    th.join();
  BOOST_TEST(admitted.load() == 7);
}
