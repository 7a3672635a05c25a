#pragma once
// Console login attempts, rate limited per source address with a growing
// delay (issue "Every caller gets through", item 5): a few wrong tokens are
// free (a typo), then each further failure doubles the wait before that
// address may try again (429 with Retry-After until then), up to a cap. A
// good login clears the address. Thread-safe; bounded memory (the least
// recently failed addresses are forgotten first).

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace sb::console {

class login_throttle {
public:
  static constexpr int free_failures = 3;
  static constexpr int64_t first_delay_ms = 1'000;
  static constexpr int64_t max_delay_ms = 300'000;
  static constexpr std::size_t max_addresses = 10'000;

  /// How long `address` must still wait before trying; 0: it may try now.
  int64_t wait_ms(const std::string& address, int64_t now_ms) const;
  /// A wrong token from `address`: returns the wait now imposed (0 while free).
  int64_t failed(const std::string& address, int64_t now_ms);
  void succeeded(const std::string& address);

  /// The host part of "1.2.3.4:5678" / "[::1]:5678" (the port changes per connection).
  static std::string address_of(const std::string& remote);

private:
  struct entry {
    int failures = 0;
    int64_t allowed_at = 0;
    int64_t last_failure = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::string, entry> by_address_;
};

} // namespace sb::console
