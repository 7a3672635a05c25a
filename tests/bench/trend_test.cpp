// The soak run's slope fit (bench/soak/trend.cpp): a leak is told from noise.
#define BOOST_TEST_MODULE trend
#include "bench/soak/trend.hpp"

#include <boost/test/unit_test.hpp>

#include <random>

using sb::bench::fit_trend;

namespace {

/// y = a + b x + noise of standard deviation sd, x = 0, 0.1, ... (minutes).
void series(double a, double b, double sd, int n, std::vector<double>& x, std::vector<double>& y) {
  std::mt19937 rng(7);
  std::normal_distribution<double> noise(0, sd);
  for (int i = 0; i < n; ++i) {
    x.push_back(i * 0.1);
    y.push_back(a + b * x.back() + (sd > 0 ? noise(rng) : 0));
  }
}

} // namespace

BOOST_AUTO_TEST_CASE(exact_line_is_recovered) {
  std::vector<double> x, y;
  series(1000, 25, 0, 50, x, y);
  const auto t = fit_trend(x, y);
  BOOST_TEST(t.n == 50);
  BOOST_TEST(t.slope == 25, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(t.intercept == 1000, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(!t.flat); // a real slope with no noise at all
}

BOOST_AUTO_TEST_CASE(noise_alone_is_flat) {
  std::vector<double> x, y;
  series(30'000, 0, 200, 160, x, y); // 16 minutes of RSS jitter, no growth
  const auto t = fit_trend(x, y);
  BOOST_TEST(t.flat);
  BOOST_TEST(t.residual_sd > 150);
  BOOST_TEST(t.residual_sd < 250);
}

BOOST_AUTO_TEST_CASE(a_leak_under_noise_is_not_flat) {
  std::vector<double> x, y;
  series(30'000, 100, 200, 160, x, y); // +100 KiB a minute under the same jitter
  const auto t = fit_trend(x, y);
  BOOST_TEST(!t.flat);
  BOOST_TEST(t.slope > 80);
  BOOST_TEST(t.slope < 120);
}

BOOST_AUTO_TEST_CASE(too_few_points) {
  std::vector<double> x{1, 2}, y{3, 4};
  const auto t = fit_trend(x, y);
  BOOST_TEST(t.n == 2);
  BOOST_TEST(!t.flat);
}
