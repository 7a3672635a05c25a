#include "receptionist/test_fault.hpp"

#include <rapidjson/document.h>

#include <string>

namespace sb::receptionist {

proto::tool_spec test_crash_spec() {
  return {std::string{test_crash_tool},
          "Test only: crash one of this call's actors (fault injection).",
          R"({"type":"object","properties":{"target":{"type":"string",)"
          R"("enum":["tool_call","supervisor"]}},"required":["target"],)"
          R"("additionalProperties":false})"};
}

std::optional<crash_target> crash_target_of(std::string_view name, std::string_view arguments) {
  if (name != test_crash_tool)
    return std::nullopt;
  rapidjson::Document d;
  d.Parse(arguments.data(), arguments.size());
  if (!d.IsObject() || !d.HasMember("target") || !d["target"].IsString())
    return std::nullopt;
  std::string_view target{d["target"].GetString(), d["target"].GetStringLength()};
  if (target == "tool_call")
    return crash_target::tool_call;
  if (target == "supervisor")
    return crash_target::supervisor;
  return std::nullopt;
}

} // namespace sb::receptionist
