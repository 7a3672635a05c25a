#include "common/log.hpp"

#include "common/time.hpp"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>

namespace sb::log {

namespace {

level level_from_env() {
  const char* v = std::getenv("SWITCHBOARD_LOG_LEVEL");
  if (v == nullptr)
    return level::info;
  if (std::strcmp(v, "debug") == 0)
    return level::debug;
  if (std::strcmp(v, "warn") == 0)
    return level::warn;
  if (std::strcmp(v, "error") == 0)
    return level::error;
  if (std::strcmp(v, "off") == 0)
    return level::off;
  return level::info;
}

std::atomic<int>& min_level() {
  static std::atomic<int> l{static_cast<int>(level_from_env())};
  return l;
}

const char* name(level l) {
  switch (l) {
  case level::debug:
    return "DEBUG";
  case level::info:
    return "INFO ";
  case level::warn:
    return "WARN ";
  case level::error:
    return "ERROR";
  default:
    return "";
  }
}

} // namespace

void set_level(level l) {
  min_level() = static_cast<int>(l);
}
level current_level() {
  return static_cast<level>(min_level().load());
}

void write(level l, std::string_view component, std::string_view message) {
  if (static_cast<int>(l) < min_level().load(std::memory_order_relaxed))
    return;
  std::string line = iso8601_utc(now_ms());
  line += ' ';
  line += name(l);
  line += " [";
  line += component;
  line += "] ";
  line += message;
  line += '\n';
  static std::mutex mtx;
  std::lock_guard<std::mutex> guard{mtx};
  std::fwrite(line.data(), 1, line.size(), stderr);
}

} // namespace sb::log
