#pragma once
// A straight line fitted to samples by least squares, with what it takes to
// tell a slope from noise: the residuals' spread and the slope's standard
// error (any statistics text, e.g. NIST/SEMATECH e-Handbook 4.1.4.1 and
// 4.4.4: se(b) = s / sqrt(sum (x - mean x)^2), s the residual standard
// deviation with n - 2 degrees of freedom).

#include <vector>

namespace sb::bench {

struct trend {
  int n = 0;
  double slope = 0;    ///< y units per x unit
  double slope_se = 0; ///< its standard error
  double intercept = 0;
  double residual_sd = 0; ///< the noise around the line
  double mean = 0;        ///< of y
  /// The slope's 95% interval holds 0, or the line moves less over the whole
  /// span than twice the noise: flat within noise.
  bool flat = false;
};

/// Fits y = a + b x; needs at least 3 points (else n < 3 and flat false).
trend fit_trend(const std::vector<double>& x, const std::vector<double>& y);

} // namespace sb::bench
