#pragma once
// scope_exit: runs a clean-up when the scope it guards ends, by any return
// (or an exception), so that early returns need not repeat it.
//
//   const scope_exit remove_dir{[&] { fs::remove_all(dir); }};

#include <utility>

namespace sb {

template <class F> class [[nodiscard]] scope_exit {
public:
  explicit scope_exit(F f) : f_(std::move(f)) {}
  scope_exit(const scope_exit&) = delete;
  scope_exit& operator=(const scope_exit&) = delete;
  ~scope_exit() { f_(); }

private:
  F f_;
};

} // namespace sb
