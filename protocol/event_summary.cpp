#include "protocol/event_summary.hpp"

#include "common/json_text.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cctype>

namespace sb::proto {

namespace {

using value = rapidjson::Value;
using writer = rapidjson::Writer<rapidjson::StringBuffer>;

/// Nesting past this is summarised, not walked (the walk recurses).
constexpr int max_depth = 32;

bool has(std::string_view hay, std::string_view needle) {
  return hay.find(needle) != std::string_view::npos;
}

/// A key whose string value is a credential. Twilio and OpenAI events carry
/// none today (the API key and the auth token travel in headers), so this
/// guards against a field added later; "max_output_tokens" is not one.
bool secret_key(std::string_view key) {
  std::string k{key};
  std::transform(k.begin(), k.end(), k.begin(), [](unsigned char c) { return std::tolower(c); });
  std::string_view v{k};
  return has(v, "secret") || has(v, "authorization") || has(v, "api_key") || has(v, "apikey") ||
         has(v, "password") || v == "token" || (v.size() > 5 && v.substr(v.size() - 5) == "token");
}

/// Audio, as the two protocols name it: Realtime `audio` (append, input
/// audio content) and the `delta` of an audio (not transcript) delta;
/// Twilio's `media.payload` (docs/protocols.md 1, 3).
bool audio_key(std::string_view key, std::string_view type) {
  if (key == "audio" || key == "payload")
    return true;
  return key == "delta" && has(type, "audio") && !has(type, "transcript");
}

void put_string(writer& w, std::string_view s) {
  if (s.size() <= summary_max_string) {
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
    return;
  }
  std::size_t cut = summary_max_string;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80)
    --cut; // not inside a UTF-8 sequence
  std::string t{s.substr(0, cut)};
  t += "...(+" + std::to_string(s.size() - cut) + " bytes)";
  w.String(t.data(), static_cast<rapidjson::SizeType>(t.size()));
}

void put(writer& w, const value& v, std::string_view type, int depth);

void put_member(writer& w, std::string_view key, const value& v, std::string_view type, int depth) {
  w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
  if (v.IsString() && audio_key(key, type))
    w.String(("<" + std::to_string(v.GetStringLength()) + " bytes base64>").c_str());
  else if (secret_key(key))
    w.String("<redacted>"); // whatever its shape: {"client_secret":{"value":...}}
  else
    put(w, v, type, depth + 1);
}

void put(writer& w, const value& v, std::string_view type, int depth) {
  if (depth > max_depth) {
    w.String("<nested too deep>");
    return;
  }
  if (v.IsObject()) {
    w.StartObject();
    for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it)
      put_member(w, {it->name.GetString(), it->name.GetStringLength()}, it->value, type, depth);
    w.EndObject();
  } else if (v.IsArray()) {
    w.StartArray();
    for (const auto& e : v.GetArray())
      put(w, e, type, depth + 1);
    w.EndArray();
  } else if (v.IsString()) {
    put_string(w, {v.GetString(), v.GetStringLength()});
  } else {
    v.Accept(w); // number, bool, null
  }
}

std::string_view name_of(const value& root) {
  for (const char* k : {"type", "event"}) {
    auto it = root.FindMember(k);
    if (it != root.MemberEnd() && it->value.IsString())
      return {it->value.GetString(), it->value.GetStringLength()};
  }
  return {};
}

} // namespace

event_summary summarize_event(std::string_view frame) {
  event_summary s;
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag>(frame.data(),
                                                                                    frame.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    append_json_string(s.json, frame.substr(0, summary_max_string));
    return s;
  }
  s.type = name_of(doc);
  rapidjson::StringBuffer buf;
  writer w{buf};
  put(w, doc, s.type, 0);
  s.json.assign(buf.GetString(), buf.GetSize());
  return s;
}

} // namespace sb::proto
