#pragma once
// Internal to storage/: the state behind sb::storage::store, shared by the
// store_*.cpp files (one per table group).

#include "storage/sqlite_db.hpp"
#include "storage/store.hpp"

#include <memory>
#include <vector>

namespace sb::storage {

namespace detail {

/// Steps `q` to the end, turning each row into a T with `read`.
template <class T, class Read> result<std::vector<T>> collect(query& q, Read read) {
  std::vector<T> out;
  for (;;) {
    auto row = q.step();
    if (!row)
      return row.err();
    if (!*row)
      return out;
    out.push_back(read(q));
  }
}

} // namespace detail

struct store::impl {
  std::unique_ptr<detail::database> db;
  int version = 0;
};

} // namespace sb::storage
