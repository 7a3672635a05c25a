#include "common/log.hpp"

#include "common/json_text.hpp"
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

format format_from_env() {
  format f = format::text;
  if (const char* v = std::getenv("SWITCHBOARD_LOG_FORMAT"))
    parse_format(v, f);
  return f;
}

std::atomic<int>& min_level() {
  static std::atomic<int> l{static_cast<int>(level_from_env())};
  return l;
}

std::atomic<int>& line_format() {
  static std::atomic<int> f{static_cast<int>(format_from_env())};
  return f;
}

/// The sink and the lock that keeps lines whole.
struct output {
  std::mutex mtx;
  std::function<void(std::string_view)> sink;
};

output& out() {
  static output o;
  return o;
}

const char* text_name(level l) {
  static constexpr const char* names[] = {"DEBUG", "INFO ", "WARN ", "ERROR", ""};
  return names[static_cast<int>(l)];
}

const char* json_name(level l) {
  static constexpr const char* names[] = {"debug", "info", "warn", "error", ""};
  return names[static_cast<int>(l)];
}

/// `{"ts":...,"level":...,"component":...[,"call_sid":...][,"tenant":...],"message":...`
/// without the closing brace, so that wire() can add its fields.
std::string json_head(level l, std::string_view component, std::string_view message,
                      const context& ctx) {
  std::string line = "{\"ts\":\"" + iso8601_utc(now_ms()) + "\",\"level\":\"";
  line += json_name(l);
  line += "\",\"component\":";
  append_json_string(line, component);
  if (!ctx.call_sid.empty()) {
    line += ",\"call_sid\":";
    append_json_string(line, ctx.call_sid);
  }
  if (!ctx.tenant.empty()) {
    line += ",\"tenant\":";
    append_json_string(line, ctx.tenant);
  }
  line += ",\"message\":";
  append_json_string(line, message);
  return line;
}

std::string text_head(level l, std::string_view component) {
  std::string line = iso8601_utc(now_ms());
  line += ' ';
  line += text_name(l);
  line += " [";
  line += component;
  line += "] ";
  return line;
}

void emit(std::string& line) {
  auto& o = out();
  std::lock_guard<std::mutex> guard{o.mtx};
  if (o.sink) {
    o.sink(line);
    return;
  }
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stderr);
}

bool json_lines() {
  return line_format().load(std::memory_order_relaxed) == static_cast<int>(format::json);
}

} // namespace

void set_level(level l) {
  min_level() = static_cast<int>(l);
}
level current_level() {
  return static_cast<level>(min_level().load());
}

void set_format(format f) {
  line_format() = static_cast<int>(f);
}
format current_format() {
  return static_cast<format>(line_format().load());
}

bool parse_format(std::string_view name, format& out) {
  if (name == "text")
    out = format::text;
  else if (name == "json")
    out = format::json;
  else
    return false;
  return true;
}

void set_sink(std::function<void(std::string_view line)> sink) {
  auto& o = out();
  std::lock_guard<std::mutex> guard{o.mtx};
  o.sink = std::move(sink);
}

void write(level l, std::string_view component, std::string_view message, const context& ctx) {
  if (l == level::off || static_cast<int>(l) < min_level().load(std::memory_order_relaxed))
    return;
  std::string line;
  if (json_lines()) {
    line = json_head(l, component, message, ctx);
    line += '}';
  } else {
    line = text_head(l, component);
    line += message;
  }
  emit(line);
}

void wire(std::string_view component, const context& ctx, bool sent, std::string_view type,
          std::string_view event_json) {
  std::string what = sent ? "-> " : "<- ";
  what += type;
  std::string line;
  if (json_lines()) {
    line = json_head(level::debug, component, what, ctx);
    line += sent ? ",\"direction\":\"out\",\"event\":" : ",\"direction\":\"in\",\"event\":";
    line += event_json.empty() ? "null" : event_json;
    line += '}';
  } else {
    line = text_head(level::debug, component);
    if (!ctx.call_sid.empty()) {
      line += ctx.call_sid;
      line += ' ';
    }
    line += what;
    line += ' ';
    line += event_json;
  }
  emit(line);
}

} // namespace sb::log
