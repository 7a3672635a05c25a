#include "common/call_types.hpp"

#include <array>
#include <ostream>
#include <utility>

namespace sb {

namespace {

constexpr std::array<std::string_view, 5> phase_names{"connecting", "ringing", "in_progress",
                                                      "ending", "finished"};
constexpr std::array<std::string_view, 5> status_names{"ringing", "in_progress", "completed",
                                                       "failed", "no_stream"};
constexpr std::array<std::string_view, 14> reason_names{"",
                                                        "caller_hangup",
                                                        "assistant_hangup",
                                                        "operator_hangup",
                                                        "twilio_socket_lost",
                                                        "openai_unavailable",
                                                        "no_stream",
                                                        "shutdown",
                                                        "internal_error",
                                                        "over_limit",
                                                        "transferred",
                                                        "server_lost",
                                                        "max_duration",
                                                        "caller_silent"};

constexpr std::array<std::string_view, 2> speaker_names{"caller", "assistant"};

template <class E, std::size_t N>
std::optional<E> parse(const std::array<std::string_view, N>& names, std::string_view s) {
  for (std::size_t i = 0; i < N; ++i)
    if (names[i] == s)
      return static_cast<E>(i);
  return std::nullopt;
}

} // namespace

std::string_view to_string(call_phase x) {
  return phase_names.at(static_cast<std::size_t>(x));
}
std::string_view to_string(call_status x) {
  return status_names.at(static_cast<std::size_t>(x));
}
std::string_view to_string(speaker x) {
  return speaker_names.at(static_cast<std::size_t>(x));
}
std::string_view to_string(end_reason x) {
  return reason_names.at(static_cast<std::size_t>(x));
}

std::string to_string(call_error x) {
  switch (x) {
  case call_error::twilio_socket_lost:
    return "twilio_socket_lost";
  case call_error::openai_unavailable:
    return "openai_unavailable";
  case call_error::openai_socket_lost:
    return "openai_socket_lost";
  case call_error::storage_failed:
    return "storage_failed";
  case call_error::injected_fault:
    return "injected_fault";
  }
  return "call_error(" + std::to_string(static_cast<int>(x)) + ")";
}

std::optional<call_status> parse_call_status(std::string_view s) {
  return parse<call_status>(status_names, s);
}

std::optional<speaker> parse_speaker(std::string_view s) {
  return parse<speaker>(speaker_names, s);
}

std::optional<end_reason> parse_end_reason(std::string_view s) {
  return parse<end_reason>(reason_names, s);
}

std::ostream& operator<<(std::ostream& os, call_phase x) {
  return os << to_string(x);
}
std::ostream& operator<<(std::ostream& os, call_status x) {
  return os << to_string(x);
}
std::ostream& operator<<(std::ostream& os, end_reason x) {
  return os << to_string(x);
}
std::ostream& operator<<(std::ostream& os, speaker x) {
  return os << to_string(x);
}

call_status status_after(end_reason why, bool answered) {
  if (!answered)
    return why == end_reason::no_stream ? call_status::no_stream : call_status::failed;
  // A lost server is a failure of ours, like an internal error.
  bool ours = why == end_reason::internal_error || why == end_reason::server_lost;
  return ours ? call_status::failed : call_status::completed;
}

} // namespace sb
