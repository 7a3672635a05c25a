#include "sim/caller_twiml.hpp"

namespace sb::sim {

namespace {

/// Value of attribute `name` inside one tag's text, or nullopt-like empty+false.
bool attribute(std::string_view tag, std::string_view name, std::string& out) {
  for (std::size_t pos = 0; (pos = tag.find(name, pos)) != std::string_view::npos; ++pos) {
    if (pos == 0 || !(tag[pos - 1] == ' ' || tag[pos - 1] == '\t' || tag[pos - 1] == '\n'))
      continue;
    std::size_t eq = pos + name.size();
    while (eq < tag.size() && tag[eq] == ' ')
      ++eq;
    if (eq >= tag.size() || tag[eq] != '=')
      continue;
    std::size_t q = eq + 1;
    while (q < tag.size() && tag[q] == ' ')
      ++q;
    if (q >= tag.size() || (tag[q] != '"' && tag[q] != '\''))
      continue;
    std::size_t end = tag.find(tag[q], q + 1);
    if (end == std::string_view::npos)
      return false;
    out = xml_unescape(tag.substr(q + 1, end - q - 1));
    return true;
  }
  return false;
}

} // namespace

std::string xml_unescape(std::string_view s) {
  static constexpr std::pair<std::string_view, char> entities[] = {
      {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    bool replaced = false;
    if (s[i] == '&')
      for (auto [text, ch] : entities)
        if (s.substr(i, text.size()) == text) {
          out += ch;
          i += text.size();
          replaced = true;
          break;
        }
    if (!replaced)
      out += s[i++];
  }
  return out;
}

result<twiml_stream> parse_twiml_stream(std::string_view xml) {
  std::size_t start = xml.find("<Stream");
  if (start == std::string_view::npos)
    return error{"no_stream", "TwiML has no <Stream>"};
  std::size_t end = xml.find('>', start);
  if (end == std::string_view::npos)
    return error{"no_stream", "unterminated <Stream> tag"};
  twiml_stream s;
  if (!attribute(xml.substr(start, end - start), "url", s.url) || s.url.empty())
    return error{"no_stream", "<Stream> without url"};
  std::size_t close = xml.find("</Stream>", end);
  std::string_view body =
      xml.substr(end, close == std::string_view::npos ? std::string_view::npos : close - end);
  for (std::size_t p = 0; (p = body.find("<Parameter", p)) != std::string_view::npos;) {
    std::size_t e = body.find('>', p);
    if (e == std::string_view::npos)
      break;
    std::string name, value;
    if (attribute(body.substr(p, e - p), "name", name)) {
      attribute(body.substr(p, e - p), "value", value);
      s.parameters.emplace_back(std::move(name), std::move(value));
    }
    p = e;
  }
  return s;
}

std::string stream_connect_url(const std::string& server_url, const std::string& stream_url) {
  auto host_end = [](const std::string& url) {
    std::size_t scheme = url.find("://");
    std::size_t from = scheme == std::string::npos ? 0 : scheme + 3;
    std::size_t slash = url.find('/', from);
    return slash == std::string::npos ? url.size() : slash;
  };
  std::string base = server_url.substr(0, host_end(server_url));
  if (base.rfind("https://", 0) == 0)
    base = "wss://" + base.substr(8);
  else if (base.rfind("http://", 0) == 0)
    base = "ws://" + base.substr(7);
  std::string path = stream_url.substr(host_end(stream_url));
  return base + (path.empty() ? "/" : path);
}

} // namespace sb::sim
