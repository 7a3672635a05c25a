#include "actors/messages.hpp"

#include <caf/make_message.hpp>

namespace sb::actors {

caf::error make_error(call_error code, std::string detail) {
  return caf::error{static_cast<uint8_t>(code), call_error_category,
                    caf::make_message(std::move(detail))};
}

std::string error_detail(const caf::error& e) {
  if (e.category() != call_error_category || e.context().empty())
    return {};
  const auto& ctx = e.context();
  if (ctx.match_elements<std::string>())
    return ctx.get_as<std::string>(0);
  return {};
}

std::string describe(const caf::error& e) {
  if (e.category() != call_error_category)
    return caf::to_string(e);
  auto s = to_string(static_cast<call_error>(e.code()));
  auto detail = error_detail(e);
  return detail.empty() ? s : s + ": " + detail;
}

} // namespace sb::actors
