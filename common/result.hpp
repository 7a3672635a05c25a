#pragma once
// A value or an error message: errors are values (docs/STYLE.md 5). Used at
// boundaries that must not throw (storage, protocol parsing, net set-up).

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace sb {

/// An error: a short machine-readable code and a human sentence.
struct error {
  std::string code;    ///< e.g. "malformed_json", "sqlite", "bad_signature"
  std::string message; ///< one line, safe to log (never contains secrets)
};

/// `result<T>` holds either a T or an `error`.
template <class T> class [[nodiscard]] result {
public:
  result(T value) : v_(std::move(value)) {}
  result(error e) : v_(std::move(e)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }

  const error& err() const {
    assert(!ok());
    return std::get<1>(v_);
  }

private:
  std::variant<T, error> v_;
};

/// Success or an error, for operations without a value.
struct ok_t {};
using status = result<ok_t>;
inline status ok_status() {
  return ok_t{};
}

} // namespace sb
