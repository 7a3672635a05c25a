// Twilio REST, the Calls resource (docs/protocols.md 6). Shapes from
// twilio-node src/rest/api/v2010/account/call.ts (the update's form fields
// and path), src/base/RestException.ts (the error JSON's fields) and
// https://www.twilio.com/docs/voice/api/call-resource.

#include "protocol/twilio_rest.hpp"

#include "protocol/base64.hpp"

#include <cctype>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace sb::proto {

namespace {

constexpr std::string_view accounts_prefix = "/2010-04-01/Accounts/";

std::string_view trim_slashes(std::string_view base) {
  while (!base.empty() && base.back() == '/')
    base.remove_suffix(1);
  return base;
}

std::string member_string(const rapidjson::Value& v, const char* name) {
  auto it = v.FindMember(name);
  if (it == v.MemberEnd() || !it->value.IsString())
    return {};
  return {it->value.GetString(), it->value.GetStringLength()};
}

/// A SID in a path: letters and digits only (no '/', no '.').
bool sid_like(std::string_view s) {
  if (s.size() < 2)
    return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)))
      return false;
  return true;
}

/// Twilio's error JSON, when `body` is one (an integer `code`).
std::optional<rest_error> api_error(int http_status, std::string_view body) {
  rapidjson::Document d;
  d.Parse(body.data(), body.size());
  if (d.HasParseError() || !d.IsObject())
    return std::nullopt;
  auto code = d.FindMember("code");
  if (code == d.MemberEnd() || !code->value.IsInt())
    return std::nullopt;
  rest_error e;
  e.kind = rest_error_kind::api;
  e.http_status = http_status;
  e.code = code->value.GetInt();
  e.message = member_string(d, "message");
  e.more_info = member_string(d, "more_info");
  return e;
}

} // namespace

std::string call_path(std::string_view account_sid, std::string_view call_sid) {
  std::string p(accounts_prefix);
  p += account_sid;
  p += "/Calls/";
  p += call_sid;
  p += ".json";
  return p;
}

std::string basic_authorization(std::string_view user, std::string_view password) {
  std::string credentials(user);
  credentials += ':';
  credentials += password;
  return "Basic " + base64_encode(credentials);
}

std::optional<std::pair<std::string, std::string>>
parse_basic_authorization(std::string_view header) {
  constexpr std::string_view scheme = "Basic ";
  if (header.size() <= scheme.size() || header.substr(0, scheme.size()) != scheme)
    return std::nullopt;
  auto decoded = base64_decode(header.substr(scheme.size()));
  if (!decoded)
    return std::nullopt;
  std::size_t colon = decoded->find(':');
  if (colon == std::string::npos)
    return std::nullopt;
  return std::make_pair(decoded->substr(0, colon), decoded->substr(colon + 1));
}

rest_request build_call_update(std::string_view base_url, std::string_view account_sid,
                               std::string_view auth_token, std::string_view call_sid,
                               const call_update& update) {
  rest_request r;
  r.path = call_path(account_sid, call_sid);
  r.url = std::string(trim_slashes(base_url)) + r.path;
  r.authorization = basic_authorization(account_sid, auth_token);
  // The order twilio-node sends them in; Twilio reads them by name.
  if (!update.url.empty())
    r.params.emplace_back("Url", update.url);
  if (!update.method.empty())
    r.params.emplace_back("Method", update.method);
  if (!update.status.empty())
    r.params.emplace_back("Status", update.status);
  if (!update.twiml.empty())
    r.params.emplace_back("Twiml", update.twiml);
  r.body = encode_form(r.params);
  return r;
}

std::string rest_error::describe() const {
  std::string s;
  if (kind == rest_error_kind::connection)
    return "no answer: " + message;
  if (kind == rest_error_kind::not_configured)
    return "not sent: " + message;
  s = "HTTP " + std::to_string(http_status);
  if (code != 0)
    s += ", Twilio error " + std::to_string(code);
  if (kind == rest_error_kind::malformed)
    s += ", not a Call resource";
  if (!message.empty())
    s += ": " + message;
  return s;
}

rest_result parse_call_answer(int http_status, std::string_view body) {
  if (http_status < 200 || http_status >= 300) {
    if (auto e = api_error(http_status, body))
      return std::move(*e);
    rest_error e{rest_error_kind::http, http_status, 0, {}, {}};
    e.message = std::string(body.substr(0, 200));
    return e;
  }
  rapidjson::Document d;
  d.Parse(body.data(), body.size());
  twilio_call c;
  if (!d.HasParseError() && d.IsObject()) {
    c.sid = member_string(d, "sid");
    c.account_sid = member_string(d, "account_sid");
    c.status = member_string(d, "status");
    c.from = member_string(d, "from");
    c.to = member_string(d, "to");
    c.direction = member_string(d, "direction");
  }
  if (c.sid.empty() || c.status.empty())
    return rest_error{rest_error_kind::malformed, http_status, 0, "no sid and status", {}};
  return c;
}

rest_result connection_failure(std::string what) {
  return rest_error{rest_error_kind::connection, 0, 0, std::move(what), {}};
}

std::string rest_error_json(int code, std::string_view message, int http_status) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  w.StartObject();
  w.Key("code");
  w.Int(code);
  w.Key("message");
  w.String(message.data(), static_cast<rapidjson::SizeType>(message.size()));
  w.Key("more_info");
  w.String("https://www.twilio.com/docs/errors/" + std::to_string(code));
  w.Key("status");
  w.Int(http_status);
  w.EndObject();
  return {sb.GetString(), sb.GetSize()};
}

std::string call_json(const twilio_call& call) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  auto kv = [&](const char* k, const std::string& v) {
    w.Key(k);
    w.String(v);
  };
  w.StartObject();
  kv("sid", call.sid);
  kv("account_sid", call.account_sid);
  w.Key("parent_call_sid");
  w.Null();
  kv("to", call.to);
  kv("from", call.from);
  kv("status", call.status);
  kv("direction", call.direction);
  kv("api_version", std::string(twilio_api_version));
  kv("uri", call_path(call.account_sid, call.sid));
  w.EndObject();
  return {sb.GetString(), sb.GetSize()};
}

std::optional<std::pair<std::string, std::string>> parse_call_path(std::string_view path) {
  constexpr std::string_view calls = "/Calls/", json = ".json";
  if (path.substr(0, accounts_prefix.size()) != accounts_prefix)
    return std::nullopt;
  path.remove_prefix(accounts_prefix.size());
  std::size_t mid = path.find(calls);
  if (mid == std::string_view::npos || path.size() < mid + calls.size() + json.size() ||
      path.substr(path.size() - json.size()) != json)
    return std::nullopt;
  std::string_view account = path.substr(0, mid);
  std::string_view call =
      path.substr(mid + calls.size(), path.size() - mid - calls.size() - json.size());
  if (!sid_like(account) || !sid_like(call))
    return std::nullopt;
  return std::make_pair(std::string(account), std::string(call));
}

} // namespace sb::proto
