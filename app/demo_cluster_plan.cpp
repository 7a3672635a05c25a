#include "app/demo_cluster_plan.hpp"

#include "storage/store.hpp"

#include <algorithm>

namespace sb::app::demo {

namespace {

/// Caller i: the crash scenario's three first, then made-up names (unique
/// for the first 63); one in four does not follow the <Redirect> back (four,
/// not three: the balancer deals calls out to three nodes in turn).
crash_caller caller(std::size_t i) {
  if (i < crash_callers().size())
    return crash_callers()[i];
  static const char* const first[] = {"Dee", "Eve", "Finn", "Gus", "Hal",
                                      "Ivy", "Jo",  "Kai",  "Lu",  "Max"};
  static const char* const last[] = {"Dogwood", "Elm", "Fir", "Gum", "Hazel", "Ivywood"};
  return {std::string{first[i % 10]} + " " + last[(i / 10) % 6], i % 4 != 1};
}

} // namespace

cluster_plan plan_calls(std::size_t n, const std::string& tomorrow) {
  cluster_plan p;
  p.many = n > crash_callers().size();
  if (n >= limit_from_calls)
    p.limit = static_cast<int>(std::max<std::size_t>(1, n / 10));
  const std::size_t wave = std::max<std::size_t>(1, n / 3);
  int at = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (p.many && i > 0)
      at += i % wave == 0 && i / wave < 3 ? 600 : 100;
    else if (i > 0)
      at += 300;
    p.who.push_back(caller(i));
    p.calls.push_back(crash_call(i, p.who.back(), tomorrow, at));
    const bool limited = p.limit > 0 && i / wave == 1;
    p.limited.push_back(limited);
    if (limited)
      p.calls.back().adjust = [comes_back =
                                   std::move(p.calls.back().adjust)](sim::caller_options& o) {
        if (comes_back)
          comes_back(o);
        o.to_number = limited_number;
      };
  }
  if (p.many)
    for (auto& c : p.calls)
      c.script.turns[2].pause_before_ms = at + 20'000;
  return p;
}

status add_limited_tenant(const std::string& db_path, int limit) {
  auto db = storage::store::open(db_path);
  if (!db)
    return db.err();
  auto t = (*db)->find_tenant(business_number);
  if (!t || !*t)
    return error{"demo", "the demo business is not stored"};
  storage::tenant l = **t;
  l.number = limited_number;
  l.name = "Steady Drains";
  l.max_concurrent = limit;
  return (*db)->add_tenant(l);
}

} // namespace sb::app::demo
