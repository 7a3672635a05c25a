// The simulated call runs its TwiML verb by verb, as Twilio does
// (docs/protocols.md 6): <Connect><Stream>, and what follows once the stream
// ends; <Say>, <Play>, <Pause>, <Hangup>, <Redirect>, <Dial> (a simulated
// human answers or not), <Record> (a message is left; the recording status
// callback and the action are POSTed, signed). The REST stand-in's updates
// end a live stream (stop, then close) and run their TwiML instead.

#include "net/http_client.hpp"
#include "protocol/twilio_signature.hpp"
#include "sim/caller_runner.hpp"

#include <boost/asio/post.hpp>

#include <charconv>
#include <ctime>

namespace sb::sim {

namespace {

int to_int(const std::string& s, int fallback) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc{} && p == s.data() + s.size() && v >= 0 ? v : fallback;
}

/// "Tue, 31 Aug 2010 20:36:28 +0000": the RFC 2822 dates Twilio sends.
std::string rfc2822_now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

} // namespace

// -- the REST stand-in's updates (call_leg) ----------------------------------

void call_runner::run_twiml(std::string twiml) {
  boost::asio::post(io_, [self = shared_from_this(), twiml = std::move(twiml)] {
    std::lock_guard lock(self->mu_);
    if (self->finished_)
      return;
    ++self->res_.rest_updates;
    ++self->generation_; // whatever the old TwiML was waiting for no longer matters
    self->end_stream_for_update_locked([self, twiml] { self->run_document_locked(twiml); });
  });
}

void call_runner::fetch_twiml(std::string url, std::string method) {
  boost::asio::post(io_,
                    [self = shared_from_this(), url = std::move(url), method = std::move(method)] {
                      std::lock_guard lock(self->mu_);
                      if (self->finished_)
                        return;
                      ++self->res_.rest_updates;
                      ++self->generation_;
                      self->end_stream_for_update_locked(
                          [self, url, method] { self->request_twiml_locked(url, method, {}); });
                    });
}

void call_runner::hang_up() {
  boost::asio::post(io_, [self = shared_from_this()] {
    std::lock_guard lock(self->mu_);
    if (self->finished_)
      return;
    ++self->res_.rest_updates;
    self->event_locked("REST: Status=completed, the call ends");
    if (self->streaming_ && self->conn_) {
      self->send_stop_frame_locked();
      self->closing_ = true;
    }
    self->finish_locked(true, {});
  });
}

void call_runner::end_stream_for_update_locked(std::function<void()> then) {
  if (!streaming_)
    return then();
  // Twilio ends a <Connect><Stream> when the call gets new TwiML: it sends
  // `stop` and closes the WebSocket; the new TwiML runs after.
  event_locked("REST update: the stream ends (stop)");
  res_.stream_ended_by_update = true;
  streaming_ = false; // no more media ticks
  if (!conn_)
    return then(); // still connecting: on_connected closes it
  send_stop_frame_locked();
  closing_ = true;
  after_stream_ = std::move(then);
  conn_->close(); // on_close runs `then`
}

// -- documents and verbs --------------------------------------------------------

void call_runner::run_document_locked(const std::string& twiml) {
  auto doc = read_twiml(twiml);
  if (!doc)
    return finish_locked(false, "TwiML: " + doc.err().message);
  ++generation_;
  verbs_ = std::move(doc->children);
  verb_pos_ = 0;
  if (opt_.rest)
    opt_.rest->call_twiml(res_.call_sid, twiml);
  next_verb_locked();
}

void call_runner::next_verb_locked() {
  while (!finished_ && verb_pos_ < verbs_.size()) {
    const twiml_node verb = verbs_[verb_pos_++]; // a copy: the verb may replace verbs_
    res_.verbs.push_back(verb.name);
    if (!run_verb_locked(verb))
      return;
  }
  if (!finished_) {
    event_locked("end of the TwiML: the call ends");
    finish_locked(true, {});
  }
}

bool call_runner::run_verb_locked(const twiml_node& verb) {
  const std::string& v = verb.name;
  if (v == "Say" || v == "Play") {
    if (v == "Say")
      res_.said.push_back(verb.text);
    event_locked(v == "Say" ? "say: " + verb.text : "play: " + verb.text);
    return true;
  }
  if (v == "Pause") {
    after_locked(1000LL * to_int(verb.attribute("length"), 1), [this] { next_verb_locked(); });
    return false;
  }
  if (v == "Hangup") {
    event_locked("<Hangup/>");
    finish_locked(true, {});
    return false;
  }
  if (v == "Connect" && verb.child("Stream")) {
    open_stream_locked(verb);
    return false;
  }
  if (v == "Redirect") {
    request_twiml_locked(verb.text, verb.attribute("method", "POST"), {});
    return false;
  }
  if (v == "Dial") {
    run_dial_locked(verb);
    return false;
  }
  if (v == "Record") {
    run_record_locked(verb);
    return false;
  }
  event_locked("<" + v + "> is not simulated: skipped");
  return true;
}

void call_runner::after_locked(int64_t ms, std::function<void()> fn) {
  auto timer = std::make_shared<boost::asio::steady_timer>(io_, std::chrono::milliseconds(ms));
  timer->async_wait([self = shared_from_this(), timer, gen = generation_,
                     fn = std::move(fn)](const boost::system::error_code&) {
    std::lock_guard lock(self->mu_);
    if (!self->finished_ && gen == self->generation_)
      fn();
  });
}

// -- <Dial> and <Record> ----------------------------------------------------------

void call_runner::run_dial_locked(const twiml_node& dial) {
  const twiml_node* number = dial.child("Number");
  const std::string to = number ? number->text : dial.text;
  const int timeout_s = to_int(dial.attribute("timeout"), 30); // Twilio's default
  const int64_t ring_ms = std::min<int64_t>(1000LL * timeout_s, opt_.human.no_answer_after_ms);
  event_locked("dial " + to + " (timeout " + std::to_string(timeout_s) + " s)");
  // Twilio POSTs the action when the dial ends and runs its answer; without
  // an action the next verb runs (https://www.twilio.com/docs/voice/twiml/dial).
  auto end = [this, action = dial.attribute("action"), method = dial.attribute("method", "POST")](
                 const std::string& status, int duration_s) {
    res_.dial_status = status;
    event_locked("dial ended: " + status);
    if (action.empty())
      return next_verb_locked();
    proto::form_params p = {{"DialCallStatus", status}, {"DialCallSid", "CA" + random_hex(32)}};
    if (duration_s >= 0)
      p.emplace_back("DialCallDuration", std::to_string(duration_s));
    request_twiml_locked(action, method, std::move(p));
  };
  const dialled_human& h = opt_.human;
  if (!h.answers || h.answer_after_ms >= ring_ms)
    return after_locked(ring_ms, [end] { end("no-answer", -1); });
  after_locked(h.answer_after_ms, [this, end, talk_ms = h.talk_ms] {
    event_locked("the human answers and talks for " + std::to_string(talk_ms) + " ms");
    after_locked(talk_ms, [end, talk_ms] { end("completed", (talk_ms + 999) / 1000); });
  });
}

void call_runner::run_record_locked(const twiml_node& record) {
  auto clip = opt_.clips->get(opt_.voicemail_clip);
  if (!clip)
    return finish_locked(false, clip.err().message);
  const int max_s = to_int(record.attribute("maxLength"), 3600);
  const int64_t ms = std::min<int64_t>(static_cast<int64_t>(clip->size()) / 8, 1000LL * max_s);
  if (record.attribute("playBeep", "true") != "false")
    event_locked("beep");
  event_locked("caller leaves a message (" + std::to_string(ms) + " ms, " + opt_.voicemail_clip +
               ")");
  after_locked(ms, [this, record, ms] { recorded_locked(record, ms); });
}

void call_runner::recorded_locked(const twiml_node& record, int64_t ms) {
  const std::string sid = "RE" + random_hex(32);
  res_.recording_url = opt_.rest ? opt_.rest->recording_url(sid)
                                 : "https://api.twilio.com/2010-04-01/Accounts/" +
                                       opt_.account_sid + "/Recordings/" + sid;
  res_.recording_duration_s = static_cast<int>(std::max<int64_t>(1, (ms + 500) / 1000));
  const std::string duration = std::to_string(res_.recording_duration_s);
  event_locked("recorded " + duration + " s: " + res_.recording_url);
  if (auto cb = record.attribute("recordingStatusCallback"); !cb.empty())
    post_callback_locked(cb, {{"AccountSid", opt_.account_sid},
                              {"CallSid", res_.call_sid},
                              {"RecordingSid", sid},
                              {"RecordingUrl", res_.recording_url},
                              {"RecordingStatus", "completed"},
                              {"RecordingDuration", duration},
                              {"RecordingChannels", "1"},
                              {"RecordingSource", "RecordVerb"},
                              {"RecordingStartTime", rfc2822_now()}});
  const std::string action = record.attribute("action");
  if (action.empty())
    return next_verb_locked();
  // The caller ends the message with the first finishOnKey key.
  const std::string keys = record.attribute("finishOnKey", "1234567890*#");
  request_twiml_locked(action, record.attribute("method", "POST"),
                       {{"RecordingUrl", res_.recording_url},
                        {"RecordingDuration", duration},
                        {"Digits", keys.empty() ? "hangup" : keys.substr(0, 1)}});
}

// -- signed requests to the application -------------------------------------------

proto::form_params call_runner::call_params(const char* call_status) const {
  return {{"CallSid", res_.call_sid},          {"AccountSid", opt_.account_sid},
          {"From", opt_.script.caller_number}, {"To", opt_.to_number},
          {"CallStatus", call_status},         {"Direction", "inbound"},
          {"ApiVersion", "2010-04-01"}};
}

void call_runner::send_signed(const request_target& target, const std::string& method,
                              proto::form_params params, http_done done) {
  net::http_client_request req;
  req.method = method == "GET" ? "GET" : "POST";
  req.url = target.dial_url;
  // Twilio waits 15 s in all for a webhook's answer, connecting included
  // (twilio.com/docs/errors/11205), not the client's default 5 s.
  req.timeout = std::chrono::seconds{15};
  req.ca_pem = opt_.ca_pem;
  std::string signed_url = target.signed_url;
  if (req.method == "GET") { // parameters in the query, signed as part of the URL
    const char sep = signed_url.find('?') == std::string::npos ? '?' : '&';
    signed_url += sep + proto::encode_form(params);
    req.url += sep + proto::encode_form(params);
    params.clear();
  } else {
    req.content_type = "application/x-www-form-urlencoded";
    req.body = proto::encode_form(params);
  }
  req.headers.emplace_back("X-Twilio-Signature",
                           proto::twilio_signature(opt_.auth_token, signed_url, params));
  net::http_send(io_, std::move(req), [done = std::move(done)](net::http_client_result r) {
    done(r.status, r.body, r.error);
  });
}

void call_runner::request_twiml_locked(const std::string& url, const std::string& method,
                                       proto::form_params extra) {
  proto::form_params params = call_params("in-progress");
  params.insert(params.end(), extra.begin(), extra.end());
  event_locked(method + " " + url);
  send_signed(resolve_twiml_url(opt_.server_url, opt_.public_url, url), method, std::move(params),
              [self = shared_from_this(), gen = generation_, url, method,
               extra](int status, const std::string& body, const std::string& err) {
                std::lock_guard lock(self->mu_);
                if (self->finished_ || gen != self->generation_)
                  return;
                if (!err.empty() && self->opt_.redirect_retry_ms > 0) {
                  // Unreachable (the server is down): Twilio tries again.
                  ++self->res_.redirect_retries;
                  return self->after_locked(self->opt_.redirect_retry_ms,
                                            [self, url, method, extra] {
                                              self->request_twiml_locked(url, method, extra);
                                            });
                }
                if (!err.empty() || status != 200)
                  return self->finish_locked(
                      false, "TwiML from " + url + ": " +
                                 (err.empty() ? "HTTP " + std::to_string(status) : err));
                self->run_document_locked(body);
              });
}

void call_runner::post_callback_locked(const std::string& url, proto::form_params params) {
  ++pending_posts_;
  event_locked("POST " + url);
  send_signed(resolve_twiml_url(opt_.server_url, opt_.public_url, url), "POST", std::move(params),
              [self = shared_from_this()](int status, const std::string&, const std::string& err) {
                std::lock_guard lock(self->mu_);
                self->res_.recording_callback_status = err.empty() ? status : -1;
                if (--self->pending_posts_ == 0 && self->finished_)
                  self->deliver_locked();
              });
}

} // namespace sb::sim
