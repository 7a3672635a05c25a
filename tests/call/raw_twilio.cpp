#include "tests/call/raw_twilio.hpp"

#include "net/http_client.hpp"
#include "net/ws_client.hpp"
#include "protocol/form.hpp"
#include "protocol/twilio_signature.hpp"
#include "sim/caller_twiml.hpp"

#include <boost/test/unit_test.hpp>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <future>
#include <random>
#include <thread>

namespace sb::test {

namespace {

std::string hex(std::size_t n) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string s;
  for (std::size_t i = 0; i < n; ++i)
    s += "0123456789abcdef"[rng() % 16];
  return s;
}

} // namespace

raw_twilio::raw_twilio(boost::asio::io_context& io, const e2e_env& env, const std::string& from)
    : call_sid_("CA" + hex(32)), stream_sid_("MZ" + hex(32)),
      account_sid_("AC00000000000000000000000000000000") {
  const std::string path = "/telephony/realtime-inbound-voice";
  const std::string public_url = "https://switchboard.e2e.invalid";
  proto::form_params params = {
      {"CallSid", call_sid_}, {"AccountSid", account_sid_}, {"From", from},
      {"To", tenant_number},  {"CallStatus", "ringing"},    {"Direction", "inbound"}};
  net::http_client_request req;
  req.url = env.server_url() + path;
  req.content_type = "application/x-www-form-urlencoded";
  req.body = proto::encode_form(params);
  req.headers.emplace_back("X-Twilio-Signature",
                           proto::twilio_signature(env.auth_token(), public_url + path, params));
  // Shared: a callback that comes after a failed wait must not touch the stack.
  auto answered = std::make_shared<std::promise<net::http_client_result>>();
  auto af = answered->get_future();
  net::http_send(io, std::move(req),
                 [answered](net::http_client_result r) { answered->set_value(std::move(r)); });
  BOOST_REQUIRE(af.wait_for(std::chrono::seconds{10}) == std::future_status::ready);
  auto answer = af.get();
  BOOST_REQUIRE_MESSAGE(answer.status == 200, "webhook: " << answer.status << " " << answer.error);
  auto stream = sim::parse_twiml_stream(answer.body);
  BOOST_REQUIRE_MESSAGE(stream.ok(), "TwiML without <Stream>: " << answer.body);
  parameters_ = stream->parameters;

  net::ws_client_options wo;
  wo.url = sim::stream_connect_url(env.server_url(), stream->url);
  wo.headers.emplace_back("X-Twilio-Signature",
                          proto::twilio_signature(env.auth_token(), stream->url, {}));
  wo.limits.max_frame_bytes = 1024 * 1024;
  net::ws_handlers h;
  state_->stream_sid = stream_sid_;
  h.on_text = [st = state_](std::string&& frame) {
    ++st->frames;
    if (st->stalled)
      return false; // pauses reading; nothing resumes it (stop_reading)
    rapidjson::Document d;
    d.Parse(frame.c_str(), frame.size());
    if (!d.HasParseError() && d.IsObject() && d.HasMember("event") && d["event"].IsString() &&
        std::string_view{d["event"].GetString()} == "mark" && d.HasMember("mark") &&
        d["mark"].IsObject() && d["mark"].HasMember("name") && d["mark"]["name"].IsString()) {
      std::lock_guard lock(st->mu);
      if (auto c = st->conn.lock())
        c->send_text(R"({"event":"mark","streamSid":")" + st->stream_sid + R"(","mark":{"name":")" +
                     d["mark"]["name"].GetString() + R"("}})");
    }
    return true;
  };
  h.on_close = [st = state_](const std::string& reason) {
    std::lock_guard lock(st->mu);
    st->reason = reason;
    st->closed = true;
  };
  auto connected = std::make_shared<std::promise<net::ws_connect_result>>();
  auto cf = connected->get_future();
  net::ws_connect(io, std::move(wo), std::move(h),
                  [connected](net::ws_connect_result r) { connected->set_value(std::move(r)); });
  BOOST_REQUIRE(cf.wait_for(std::chrono::seconds{10}) == std::future_status::ready);
  auto c = cf.get();
  BOOST_REQUIRE_MESSAGE(c.conn, "stream upgrade: " << c.error);
  conn_ = std::move(c.conn);
  std::lock_guard lock(state_->mu);
  state_->conn = conn_;
}

raw_twilio::~raw_twilio() {
  if (conn_)
    conn_->close();
}

std::string raw_twilio::connected() const {
  return R"({"event":"connected","protocol":"Call","version":"1.0.0"})";
}

std::string raw_twilio::start() const {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  w.StartObject();
  w.Key("event");
  w.String("start");
  w.Key("sequenceNumber");
  w.String("1");
  w.Key("streamSid");
  w.String(stream_sid_);
  w.Key("start");
  w.StartObject();
  w.Key("streamSid");
  w.String(stream_sid_);
  w.Key("accountSid");
  w.String(account_sid_);
  w.Key("callSid");
  w.String(call_sid_);
  w.Key("tracks");
  w.StartArray();
  w.String("inbound");
  w.EndArray();
  w.Key("customParameters");
  w.StartObject();
  for (const auto& [k, v] : parameters_) {
    w.Key(k.c_str(), static_cast<rapidjson::SizeType>(k.size()));
    w.String(v);
  }
  w.EndObject();
  w.Key("mediaFormat");
  w.StartObject();
  w.Key("encoding");
  w.String("audio/x-mulaw");
  w.Key("sampleRate");
  w.Int(8000);
  w.Key("channels");
  w.Int(1);
  w.EndObject();
  w.EndObject();
  w.EndObject();
  return sb.GetString();
}

std::string raw_twilio::media(const std::string& payload_b64) {
  ++sequence_;
  return R"({"event":"media","sequenceNumber":")" + std::to_string(sequence_ + 1) +
         R"(","streamSid":")" + stream_sid_ + R"(","media":{"track":"inbound","chunk":")" +
         std::to_string(sequence_) + R"(","timestamp":")" + std::to_string(sequence_ * 20) +
         R"(","payload":")" + payload_b64 + R"("}})";
}

std::string raw_twilio::stop() {
  ++sequence_;
  return R"({"event":"stop","sequenceNumber":")" + std::to_string(sequence_ + 1) +
         R"(","streamSid":")" + stream_sid_ + R"(","stop":{"accountSid":")" + account_sid_ +
         R"(","callSid":")" + call_sid_ + R"("}})";
}

bool raw_twilio::wait_closed(std::chrono::milliseconds bound) const {
  return eventually([&] { return state_->closed.load(); }, bound, std::chrono::milliseconds{20});
}

std::string raw_twilio::close_reason() const {
  std::lock_guard lock(state_->mu);
  return state_->reason;
}

} // namespace sb::test
