#pragma once
// Validates Realtime API events against OpenAI's published JSON Schema
// (tests/data/openai/, see its README.md), plus the live service's rejection
// of parameters the schema does not declare.

#include <memory>
#include <string>
#include <string_view>

namespace sb::test {

class realtime_schema {
public:
  /// Loads SB_SOURCE_DIR/tests/data/openai/openai-realtime.schema.json once.
  /// A missing or unreadable file makes every check fail with that reason.
  static const realtime_schema& instance();

  /// "" when `json` is a valid GA client event; otherwise why not, naming
  /// the event type and the failing keyword with schema and document
  /// pointers, or the first field the event's schema does not declare.
  std::string check_client_event(std::string_view json) const;

  /// "" when `json` is a valid GA server event (schema only: the service
  /// may add fields, so undeclared fields are not reported).
  std::string check_server_event(std::string_view json) const;

  ~realtime_schema();
  realtime_schema(const realtime_schema&) = delete;
  realtime_schema& operator=(const realtime_schema&) = delete;

private:
  realtime_schema();
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace sb::test
