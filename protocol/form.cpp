// application/x-www-form-urlencoded (WHATWG URL spec, "application/x-www-form-
// urlencoded parsing"): '&'-separated name=value pairs, '+' is a space,
// %XX escapes. Unlike browsers we reject a malformed escape instead of passing
// it through: a webhook body from Twilio never contains one.

#include "protocol/form.hpp"

#include <algorithm>

namespace sb::proto {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/// Decodes one name or value; runs of plain characters are copied whole
/// (the webhook's path, bench/RESULTS.md).
bool decode_component(std::string_view in, std::string& out) {
  out.clear();
  out.reserve(in.size());
  while (!in.empty()) {
    std::size_t special = 0;
    while (special < in.size() && in[special] != '+' && in[special] != '%')
      ++special;
    out.append(in.substr(0, special));
    if (special == in.size())
      return true;
    in.remove_prefix(special);
    if (in[0] == '+') {
      out.push_back(' ');
      in.remove_prefix(1);
      continue;
    }
    if (in.size() < 3)
      return false;
    const int hi = hex_value(in[1]);
    const int lo = hex_value(in[2]);
    if (hi < 0 || lo < 0)
      return false;
    out.push_back(static_cast<char>(hi << 4 | lo));
    in.remove_prefix(3);
  }
  return true;
}

bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

} // namespace

result<form_params> parse_form(std::string_view body) {
  form_params params;
  params.reserve(static_cast<std::size_t>(std::count(body.begin(), body.end(), '&')) + 1);
  std::size_t pos = 0;
  while (pos <= body.size()) {
    std::size_t amp = body.find('&', pos);
    if (amp == std::string_view::npos)
      amp = body.size();
    std::string_view pair = body.substr(pos, amp - pos);
    pos = amp + 1;
    if (pair.empty())
      continue; // "a=1&&b=2" and a trailing '&' carry no pair
    std::size_t eq = pair.find('=');
    std::string_view raw_name = pair.substr(0, eq);
    std::string_view raw_value =
        eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    std::string name, value;
    if (!decode_component(raw_name, name) || !decode_component(raw_value, value))
      return error{"malformed_form", "malformed percent escape in form body"};
    params.emplace_back(std::move(name), std::move(value));
  }
  return params;
}

std::string form_value(const form_params& params, std::string_view name) {
  for (const auto& [n, v] : params)
    if (n == name)
      return v;
  return {};
}

std::string take_form_value(form_params& params, std::string_view name) {
  for (auto& [n, v] : params)
    if (n == name)
      return std::move(v);
  return {};
}

std::string url_encode(std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (unreserved(c)) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

std::string encode_form(const form_params& params) {
  std::string out;
  for (const auto& [n, v] : params) {
    if (!out.empty())
      out.push_back('&');
    out += url_encode(n);
    out.push_back('=');
    out += url_encode(v);
  }
  return out;
}

} // namespace sb::proto
