// The URLs a config derives from its public and node URLs: what Twilio is
// told to reach.
#include "config/config.hpp"

namespace sb {

std::string_view config::public_base() const {
  std::string_view base = server.public_url;
  while (!base.empty() && base.back() == '/')
    base.remove_suffix(1);
  return base;
}

std::string_view config::node_base() const {
  std::string_view base = cluster.node_url;
  while (!base.empty() && base.back() == '/')
    base.remove_suffix(1);
  return base.empty() ? public_base() : base;
}

std::string config::stream_url() const {
  // Built in one allocation: every answered webhook names this URL.
  std::string_view base = node_base();
  std::string_view scheme;
  if (base.substr(0, 8) == "https://")
    scheme = "wss://", base.remove_prefix(8);
  else if (base.substr(0, 7) == "http://")
    scheme = "ws://", base.remove_prefix(7);
  std::string url;
  url.reserve(scheme.size() + base.size() + twilio.stream_path.size());
  url += scheme;
  url += base;
  url += twilio.stream_path;
  return url;
}

std::string config::inbound_webhook_url() const {
  return std::string(public_base()) + "/telephony/realtime-inbound-voice";
}

std::string config::call_next_url() const {
  return std::string(public_base()) + "/telephony/realtime-call-next";
}

std::string config::recording_status_url() const {
  return std::string(public_base()) + "/telephony/realtime-recording-status";
}

} // namespace sb
