// Least squares for bench/soak (see trend.hpp for the formulas' source).
#include "bench/soak/trend.hpp"

#include <algorithm>
#include <cmath>

namespace sb::bench {

trend fit_trend(const std::vector<double>& x, const std::vector<double>& y) {
  trend t;
  const std::size_t n = std::min(x.size(), y.size());
  t.n = static_cast<int>(n);
  if (n < 3)
    return t;
  double mx = 0, my = 0;
  for (std::size_t i = 0; i < n; ++i) {
    mx += x[i];
    my += y[i];
  }
  mx /= static_cast<double>(n);
  my /= static_cast<double>(n);
  double sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < n; ++i) {
    sxx += (x[i] - mx) * (x[i] - mx);
    sxy += (x[i] - mx) * (y[i] - my);
  }
  t.mean = my;
  if (sxx <= 0)
    return t;
  t.slope = sxy / sxx;
  t.intercept = my - t.slope * mx;
  double ss = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double r = y[i] - (t.intercept + t.slope * x[i]);
    ss += r * r;
  }
  t.residual_sd = std::sqrt(ss / static_cast<double>(n - 2));
  t.slope_se = t.residual_sd / std::sqrt(sxx);
  const double span = x[n - 1] - x[0];
  // 1.96: the normal 95% point; with tens of samples the t quantile is close.
  const bool ci_holds_zero = std::abs(t.slope) <= 1.96 * t.slope_se;
  const bool moves_less_than_noise = std::abs(t.slope * span) <= 2 * t.residual_sd;
  t.flat = ci_holds_zero || moves_less_than_noise;
  return t;
}

} // namespace sb::bench
