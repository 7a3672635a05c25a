#include "config/unknown_keys.hpp"

#include "common/log.hpp"
#include "config/config.hpp"

#include <algorithm>

namespace sb {

namespace {

/// The largest edit distance still suggested: a typo is one or two edits
/// away from the key meant.
constexpr std::size_t max_suggested_distance = 2;

/// Levenshtein distance between `a` and `b` if it is at most `limit`,
/// otherwise limit + 1. Cheap for a file with thousands of unknown (or very
/// long) keys: keys whose lengths differ by more than `limit` are never
/// compared; only the cells within `limit` of the diagonal are computed
/// (a path through any other cell costs more than `limit`: Ukkonen's band);
/// and the comparison stops at the first row whose every cell is above
/// `limit` (the next row's cells are never smaller). `row` is scratch space.
std::size_t bounded_edit_distance(std::string_view a, std::string_view b, std::size_t limit,
                                  std::vector<std::size_t>& row) {
  const std::size_t over = limit + 1;
  const std::size_t length_gap = a.size() > b.size() ? a.size() - b.size() : b.size() - a.size();
  if (length_gap > limit)
    return over;
  row.assign(b.size() + 1, over);
  for (std::size_t j = 0; j <= std::min(b.size(), limit); ++j)
    row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    const std::size_t lo = i > limit ? i - limit : 1;
    const std::size_t hi = std::min(b.size(), i + limit);
    std::size_t diagonal = row[lo - 1];
    row[lo - 1] = lo == 1 ? std::min(i, over) : over; // left of the band
    std::size_t row_min = row[lo - 1];
    for (std::size_t j = lo; j <= hi; ++j) {
      const std::size_t above = row[j];
      const std::size_t cell =
          std::min({above + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1), over});
      row[j] = cell;
      diagonal = above;
      row_min = std::min(row_min, cell);
    }
    if (row_min > limit)
      return over;
  }
  return row[b.size()];
}

/// The known key nearest to `path`, at most two edits away (the first in
/// sorted order on a tie); "" if none.
std::string nearest_known_key(std::string_view path) {
  std::string nearest;
  std::size_t best = max_suggested_distance + 1;
  std::vector<std::size_t> row;
  for (const auto& k : known_config_keys()) {
    if (const std::size_t d = bounded_edit_distance(path, k, best - 1, row); d < best)
      nearest = k, best = d;
    if (best == 0)
      break;
  }
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
