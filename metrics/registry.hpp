#pragma once
// A thread-safe metrics registry: counters, gauges and histograms with fixed
// buckets, each family with label sets, rendered in the Prometheus text
// exposition format (version 0.0.4). Metrics are not actor state: actors and
// socket code update the atomics directly from any thread.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace sb::metrics {

/// Label name/value pairs, in the order they are rendered.
using label_set = std::vector<std::pair<std::string, std::string>>;

/// A monotonically increasing value.
class counter {
public:
  void inc(double v = 1.0) { value_.fetch_add(v, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

private:
  std::atomic<double> value_{0.0};
};

/// A value that goes up and down.
class gauge {
public:
  void inc(double v = 1.0) { value_.fetch_add(v, std::memory_order_relaxed); }
  void dec(double v = 1.0) { value_.fetch_sub(v, std::memory_order_relaxed); }
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

private:
  std::atomic<double> value_{0.0};
};

/// Observations counted into fixed buckets (upper bounds, ascending; +Inf is
/// implicit), with their sum and count.
class histogram {
public:
  explicit histogram(std::vector<double> bounds);
  void observe(double v);
  const std::vector<double>& bounds() const { return bounds_; }
  /// Cumulative count of observations <= bounds()[i]; i == bounds().size(): all.
  uint64_t cumulative(std::size_t i) const;
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum() const { return sum_.load(std::memory_order_relaxed); }

private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_; ///< per bucket, not cumulative
  std::atomic<uint64_t> count_{0};
  std::atomic<double> sum_{0.0};
};

/// Families of metrics by name. Returned references stay valid for the
/// registry's lifetime, so hot paths look a series up once and keep it.
class registry {
public:
  /// `constant` labels (e.g. node="node-1") come first on every series
  /// rendered, so that series of several nodes stay apart once scraped
  /// together (issue 16.3).
  explicit registry(label_set constant = {}) : constant_(std::move(constant)) {}

  /// The counter `name{labels}`; created at 0 on first use.
  counter& get_counter(const std::string& name, const std::string& help,
                       const label_set& labels = {});
  gauge& get_gauge(const std::string& name, const std::string& help, const label_set& labels = {});
  /// `bounds` applies when the family is created; later calls reuse it.
  histogram& get_histogram(const std::string& name, const std::string& help,
                           const std::vector<double>& bounds, const label_set& labels = {});

  /// The text exposition format: # HELP, # TYPE, one line per sample;
  /// families in creation order, series in label order.
  std::string render() const;

private:
  enum class kind { counter, gauge, histogram };
  struct family {
    std::string name, help;
    kind type;
    std::vector<double> bounds;
    std::map<label_set, std::unique_ptr<counter>> counters;
    std::map<label_set, std::unique_ptr<gauge>> gauges;
    std::map<label_set, std::unique_ptr<histogram>> histograms;
  };
  family& family_of(const std::string& name, const std::string& help, kind type);

  const label_set constant_;
  mutable std::mutex mtx_;
  std::vector<std::unique_ptr<family>> families_;
};

/// Escapes a label value: backslash, double quote and newline (exposition format).
std::string escape_label_value(const std::string& v);

/// A sample value as Prometheus writes it: integers without a fraction,
/// +Inf/-Inf/NaN spelled out.
std::string format_value(double v);

} // namespace sb::metrics
