#include "config/unknown_keys.hpp"

#include "common/log.hpp"
#include "config/config.hpp"

#include <algorithm>

namespace sb {

namespace {

/// Levenshtein distance: a typo is one or two edits away from the key meant.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j)
    row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({above + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

/// The known key nearest to `path`, at most two edits away; "" if none.
std::string nearest_known_key(std::string_view path) {
  std::string nearest;
  std::size_t best = 3;
  for (const auto& k : known_config_keys())
    if (const std::size_t d = edit_distance(path, k); d < best)
      nearest = k, best = d;
  return nearest;
}

/// Every key in `tbl` the parser does not read, as "section.key" (a key
/// outside any section as "key"), sorted. An empty section sets nothing and
/// is not reported.
std::vector<std::string> unknown_keys(const toml::table& tbl) {
  const auto& known = known_config_keys();
  std::vector<std::string> unknown;
  auto check = [&](std::string path) {
    if (!std::binary_search(known.begin(), known.end(), path))
      unknown.push_back(std::move(path));
  };
  for (const auto& [name, node] : tbl) {
    if (const auto* section = node.as_table())
      for (const auto& [key, value] : *section)
        check(std::string{name.str()} + "." + std::string{key.str()});
    else
      check(std::string{name.str()});
  }
  return unknown;
}

} // namespace

void warn_unknown_keys(const toml::table& tbl, std::string_view source) {
  for (const auto& path : unknown_keys(tbl)) {
    std::string msg = std::string{source} + ": unknown key " + path + " ignored";
    if (auto nearest = nearest_known_key(path); !nearest.empty())
      msg += " (did you mean " + nearest + "?)";
    log::warn("Config", msg + "; config.toml documents every key");
  }
}

} // namespace sb
