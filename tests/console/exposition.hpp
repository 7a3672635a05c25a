#pragma once
// A strict reader of the Prometheus text exposition format (0.0.4), for the
// tests: every line must be a # HELP, a # TYPE, or a sample of a declared
// family; label values must be quoted and escaped; histogram buckets must be
// cumulative with +Inf equal to _count. Any violation throws.

#include <cmath>
#include <map>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace sb::console::test {

struct exposition {
  std::map<std::string, std::string> types; ///< family -> counter | gauge | histogram
  std::map<std::string, double> samples;    ///< "name{a="x",b="y"}" (labels as written) -> value

  /// The sample, or `missing` when absent.
  double get(const std::string& key, double missing = -1) const {
    auto it = samples.find(key);
    return it == samples.end() ? missing : it->second;
  }
};

inline double parse_sample_value(const std::string& v) {
  if (v == "+Inf")
    return INFINITY;
  if (v == "-Inf")
    return -INFINITY;
  if (v == "NaN")
    return NAN;
  std::size_t used = 0;
  double d = 0;
  try {
    d = std::stod(v, &used);
  } catch (const std::exception&) {
    throw std::runtime_error("bad value: " + v);
  }
  if (used != v.size())
    throw std::runtime_error("bad value: " + v);
  return d;
}

inline exposition parse_exposition(const std::string& text) {
  static const std::regex help_re{R"(^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .*$)"};
  static const std::regex type_re{
      R"(^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$)"};
  static const std::regex sample_re{
      R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")*)?\})? (\S+)$)"};
  exposition e;
  std::istringstream in{text};
  std::string line;
  if (!text.empty() && text.back() != '\n')
    throw std::runtime_error("no final newline");
  while (std::getline(in, line)) {
    std::smatch m;
    if (line.rfind("# HELP ", 0) == 0) {
      if (!std::regex_match(line, m, help_re))
        throw std::runtime_error("bad HELP: " + line);
      continue;
    }
    if (line.rfind("# TYPE ", 0) == 0) {
      if (!std::regex_match(line, m, type_re))
        throw std::runtime_error("bad TYPE: " + line);
      if (e.types.count(m[1]))
        throw std::runtime_error("TYPE twice: " + line);
      e.types[m[1]] = m[2];
      continue;
    }
    if (!std::regex_match(line, m, sample_re))
      throw std::runtime_error("bad sample: " + line);
    std::string name = m[1];
    std::string family = name;
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      std::string s = suffix;
      if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0 &&
          e.types.count(name.substr(0, name.size() - s.size())) &&
          e.types[name.substr(0, name.size() - s.size())] == "histogram")
        family = name.substr(0, name.size() - s.size());
    }
    if (!e.types.count(family))
      throw std::runtime_error("sample before its TYPE: " + line);
    std::string key = name + std::string{m[2]};
    if (e.samples.count(key))
      throw std::runtime_error("duplicate sample: " + line);
    e.samples[key] = parse_sample_value(m[3]);
  }
  // Histograms: cumulative buckets, +Inf == _count.
  for (const auto& [key, v] : e.samples) {
    auto inf = key.find("le=\"+Inf\"");
    if (key.find("_bucket{") == std::string::npos || inf == std::string::npos)
      continue;
    std::string base = key.substr(0, key.find("_bucket{"));
    std::string rest = key.substr(key.find('{'));
    std::string labels = rest.substr(1, rest.size() - 2);
    auto pos = labels.find("le=\"+Inf\"");
    labels.erase(pos, std::string{"le=\"+Inf\""}.size());
    if (!labels.empty() && labels.back() == ',')
      labels.pop_back();
    std::string count_key = base + "_count" + (labels.empty() ? "" : "{" + labels + "}");
    if (e.get(count_key) != v)
      throw std::runtime_error("+Inf bucket != _count for " + key);
  }
  return e;
}

} // namespace sb::console::test
