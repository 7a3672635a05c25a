#include "sim/caller_twiml.hpp"

namespace sb::sim {

namespace {

/// Where the scheme and host of `url` end (its path's '/', or the end).
std::size_t host_end(std::string_view url) {
  std::size_t scheme = url.find("://");
  std::size_t from = scheme == std::string_view::npos ? 0 : scheme + 3;
  std::size_t slash = url.find('/', from);
  return slash == std::string_view::npos ? url.size() : slash;
}

std::string_view origin(std::string_view url) {
  return url.substr(0, host_end(url));
}

const twiml_node* find_connect(const twiml_node& n) {
  for (const auto& c : n.children) {
    if (c.name == "Connect" && c.child("Stream"))
      return &c;
    if (const auto* deeper = find_connect(c))
      return deeper;
  }
  return nullptr;
}

} // namespace

result<twiml_stream> stream_of(const twiml_node& connect) {
  const twiml_node* stream = connect.child("Stream");
  if (!stream)
    return error{"no_stream", "TwiML has no <Stream>"};
  twiml_stream s;
  s.url = stream->attribute("url");
  if (s.url.empty())
    return error{"no_stream", "<Stream> without url"};
  for (const auto& p : stream->children)
    if (p.name == "Parameter" && p.has_attribute("name"))
      s.parameters.emplace_back(p.attribute("name"), p.attribute("value"));
  return s;
}

result<twiml_stream> parse_twiml_stream(std::string_view xml) {
  auto doc = read_twiml(xml);
  if (!doc)
    return doc.err();
  const twiml_node* connect = find_connect(*doc);
  if (!connect)
    return error{"no_stream", "TwiML has no <Connect><Stream>"};
  return stream_of(*connect);
}

std::string stream_connect_url(const std::string& server_url, const std::string& stream_url) {
  // A stream URL on this machine is dialled as it is: a node behind a load
  // balancer names its own address (cluster.node_url), which is not the
  // balancer's.
  for (const char* local : {"ws://127.0.0.1:", "wss://127.0.0.1:"})
    if (stream_url.rfind(local, 0) == 0)
      return stream_url;
  std::string base(origin(server_url));
  if (base.rfind("https://", 0) == 0)
    base = "wss://" + base.substr(8);
  else if (base.rfind("http://", 0) == 0)
    base = "ws://" + base.substr(7);
  std::string path = stream_url.substr(host_end(stream_url));
  return base + (path.empty() ? "/" : path);
}

request_target resolve_twiml_url(const std::string& server_url, const std::string& public_url,
                                 const std::string& url) {
  const std::string server(origin(server_url)), pub(origin(public_url));
  if (!url.empty() && url[0] == '/')
    return {pub + url, server + url};
  if (!pub.empty() && origin(url) == pub)
    return {url, server + url.substr(pub.size())};
  return {url, url};
}

} // namespace sb::sim
