#include "metrics/registry.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace sb::metrics {

// -- histogram ----------------------------------------------------------------

histogram::histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  for (std::size_t i = 0; i <= bounds_.size(); ++i)
    buckets_[i].store(0);
}

void histogram::observe(double v) {
  std::size_t i = 0;
  while (i < bounds_.size() && v > bounds_[i])
    ++i; // le: upper bounds are inclusive
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

uint64_t histogram::cumulative(std::size_t i) const {
  uint64_t n = 0;
  for (std::size_t k = 0; k <= i && k <= bounds_.size(); ++k)
    n += buckets_[k].load(std::memory_order_relaxed);
  return n;
}

// -- registry -------------------------------------------------------------------

registry::family& registry::family_of(const std::string& name, const std::string& help, kind type) {
  for (auto& f : families_) {
    if (f->name != name)
      continue;
    if (f->type != type)
      throw std::logic_error("metric " + name + " registered with another type");
    return *f;
  }
  auto f = std::make_unique<family>();
  f->name = name;
  f->help = help;
  f->type = type;
  families_.push_back(std::move(f));
  return *families_.back();
}

counter& registry::get_counter(const std::string& name, const std::string& help,
                               const label_set& labels) {
  std::lock_guard<std::mutex> g{mtx_};
  auto& slot = family_of(name, help, kind::counter).counters[labels];
  if (!slot)
    slot = std::make_unique<counter>();
  return *slot;
}

gauge& registry::get_gauge(const std::string& name, const std::string& help,
                           const label_set& labels) {
  std::lock_guard<std::mutex> g{mtx_};
  auto& slot = family_of(name, help, kind::gauge).gauges[labels];
  if (!slot)
    slot = std::make_unique<gauge>();
  return *slot;
}

histogram& registry::get_histogram(const std::string& name, const std::string& help,
                                   const std::vector<double>& bounds, const label_set& labels) {
  std::lock_guard<std::mutex> g{mtx_};
  auto& f = family_of(name, help, kind::histogram);
  if (f.bounds.empty())
    f.bounds = bounds;
  auto& slot = f.histograms[labels];
  if (!slot)
    slot = std::make_unique<histogram>(f.bounds);
  return *slot;
}

std::string escape_label_value(const std::string& v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string format_value(double v) {
  if (std::isnan(v))
    return "NaN";
  if (std::isinf(v))
    return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
  }
  // Shortest text that reads back as the same double: 0.005, not 0.00500000000000000010.
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

namespace {

/// `{constant...,labels...,extra}`; "" when there are none.
std::string labels_text(const label_set& constant, const label_set& labels,
                        const std::string& extra_name = {}, const std::string& extra_value = {}) {
  if (constant.empty() && labels.empty() && extra_name.empty())
    return "";
  std::string s = "{";
  bool first = true;
  for (const auto* set : {&constant, &labels})
    for (const auto& [k, v] : *set) {
      if (!first)
        s += ",";
      first = false;
      s += k + "=\"" + escape_label_value(v) + "\"";
    }
  if (!extra_name.empty()) {
    if (!first)
      s += ",";
    s += extra_name + "=\"" + extra_value + "\"";
  }
  return s + "}";
}

std::string escape_help(const std::string& h) {
  std::string out;
  for (char c : h) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

} // namespace

std::string registry::render() const {
  std::lock_guard<std::mutex> g{mtx_};
  std::string out;
  for (const auto& f : families_) {
    static const char* type_names[] = {"counter", "gauge", "histogram"};
    out += "# HELP " + f->name + " " + escape_help(f->help) + "\n";
    out += "# TYPE " + f->name + " " + type_names[static_cast<int>(f->type)] + "\n";
    for (const auto& [labels, c] : f->counters)
      out += f->name + labels_text(constant_, labels) + " " + format_value(c->value()) + "\n";
    for (const auto& [labels, ga] : f->gauges)
      out += f->name + labels_text(constant_, labels) + " " + format_value(ga->value()) + "\n";
    for (const auto& [labels, h] : f->histograms) {
      const auto& b = h->bounds();
      for (std::size_t i = 0; i <= b.size(); ++i) {
        std::string le = i < b.size() ? format_value(b[i]) : "+Inf";
        out += f->name + "_bucket" + labels_text(constant_, labels, "le", le) + " " +
               format_value(static_cast<double>(h->cumulative(i))) + "\n";
      }
      out +=
          f->name + "_sum" + labels_text(constant_, labels) + " " + format_value(h->sum()) + "\n";
      out += f->name + "_count" + labels_text(constant_, labels) + " " +
             format_value(static_cast<double>(h->count())) + "\n";
    }
  }
  return out;
}

} // namespace sb::metrics
