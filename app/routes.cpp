#include "app/routes.hpp"

#include "app/call_handoff.hpp"

#include "actors/ask.hpp"
#include "actors/messages.hpp"
#include "actors/wire_tap.hpp"
#include "app/status_json.hpp"
#include "common/log.hpp"
#include "common/log_throttle.hpp"
#include "common/time.hpp"
#include "console/routes.hpp"
#include "protocol/form.hpp"
#include "protocol/media_stream.hpp"
#include "protocol/twilio_signature.hpp"
#include "protocol/twiml.hpp"

#include <caf/all.hpp>

#include <memory>
#include <mutex>

namespace sb::app {

namespace {

using net::http_request;
using net::http_response;

/// The URL Twilio requested, as Twilio saw it: the public URL plus the
/// request target (docs/protocols.md 1, step 1), not the proxy's view.
/// `base` has no trailing slash (config::public_base).
std::string public_request_url(std::string_view base, const http_request& req) {
  std::string url;
  url.reserve(base.size() + req.target.size());
  url += base;
  url += req.target;
  return url;
}

bool signed_ok(const config& cfg, const std::string& url, const proto::form_params& params,
               const http_request& req) {
  if (!cfg.twilio.validate_signatures)
    return true;
  return proto::twilio_signature_valid(cfg.twilio.auth_token, url, params,
                                       req.header("X-Twilio-Signature"));
}

/// Parses and authenticates a Twilio form POST; nullopt with `bad` set when
/// refused.
std::optional<proto::form_params> twilio_form(const config& cfg, const http_request& req,
                                              http_response& bad) {
  auto params = proto::parse_form(req.body);
  if (!params) {
    bad = http_response::text(400, "malformed form body: " + params.err().message);
    return std::nullopt;
  }
  // Behind a load balancer Twilio signs the balancer's URL; a caller sent on
  // to this node itself (call-next at the node holding the call) arrives
  // signed for this node's own URL.
  const bool node_own = cfg.node_base() != cfg.public_base();
  if (!signed_ok(cfg, public_request_url(cfg.public_base(), req), *params, req) &&
      !(node_own && signed_ok(cfg, public_request_url(cfg.node_base(), req), *params, req))) {
    // A flood of unsigned requests is refused at the cost of one HMAC each
    // and logged once per 10 s, not once per request.
    static log::throttle refusals{10'000};
    int64_t held_back = 0;
    if (refusals.allow(now_ms(), held_back))
      log::warn("RealtimeHandler",
                "Refused a request with a missing or wrong X-Twilio-Signature from " + req.remote +
                    log::more_since(held_back));
    bad = http_response::text(403, "invalid Twilio signature");
    return std::nullopt;
  }
  return std::move(*params);
}

void inbound_voice(const actors::services& svc, call_handoff& handoff, http_request& req,
                   net::responder respond) {
  http_response bad;
  auto form = twilio_form(*svc.cfg, req, bad);
  if (!form)
    return respond(std::move(bad));
  storage::call_record c;
  c.call_sid = proto::take_form_value(*form, "CallSid");
  c.account_sid = proto::take_form_value(*form, "AccountSid");
  c.from = proto::take_form_value(*form, "From");
  c.to = proto::take_form_value(*form, "To");
  if (c.call_sid.empty() || c.to.empty())
    return respond(http_response::text(400, "CallSid and To are required"));
  c.started_at_ms = now_ms();
  auto log_received = [&c] {
    if (log::enabled(log::level::info))
      log::info("RealtimeHandler", "Inbound call received { CallSid: '" + c.call_sid +
                                       "', From: '" + c.from + "', To: '" + c.to + "' }");
  };
  if (svc.tenants) {
    // A tenant limited across the cluster waits for the database (path 7).
    if (auto t = svc.tenants->find(c.to, now_ms()); t && !actors::cluster_limited(*svc.cfg, *t)) {
      auto v = actors::admit_call(svc.admission.get(), *svc.cfg, c, *t, svc.metrics.get());
      if (!actors::rings_through(v)) {
        log_received();
        if (actors::over_limit_voicemail(*svc.cfg))
          caf::anon_send(svc.registry, actors::refused_call{c, *t, actors::to_string(v)});
        return respond(http_response::xml(actors::over_limit_twiml(*svc.cfg)));
      }
      // A known tenant: answer here, on the io thread; the registry spawns
      // the call, and has it before Twilio can open the stream this answer
      // names (call_handoff.hpp).
      auto twiml = actors::stream_twiml(*svc.cfg, c, *t);
      if (svc.cfg->server.io_threads != 1) { // no ordering to lean on: the call goes first
        log_received();
        caf::anon_send(svc.registry, actors::inbound_call{std::move(c), nullptr});
        return respond(http_response::xml(std::move(twiml)));
      }
      respond(http_response::xml(std::move(twiml))); // written at once, then logged
      log_received();
      handoff.push(std::move(c));
      return;
    }
  }
  log_received();
  actors::twiml_responder answer = [respond = std::move(respond)](std::string twiml) {
    respond(http_response::xml(std::move(twiml)));
  };
  caf::anon_send(svc.registry, actors::inbound_call{std::move(c), std::move(answer)});
}

void recording_status(const actors::services& svc, http_request& req, net::responder respond) {
  http_response bad;
  auto form = twilio_form(*svc.cfg, req, bad);
  if (!form)
    return respond(std::move(bad));
  auto sid = proto::form_value(*form, "CallSid");
  auto url = proto::form_value(*form, "RecordingUrl");
  if (sid.empty() || url.empty())
    return respond(http_response::text(400, "CallSid and RecordingUrl are required"));
  int duration = std::atoi(proto::form_value(*form, "RecordingDuration").c_str());
  actors::ask<bool>(
      svc.registry, svc.cfg->call.registry_query,
      [respond, sid](bool known) {
        if (known)
          return respond(http_response::text(200, "OK"));
        // A signed callback for a call we never had (another application's
        // recording sent here, or a database replaced since): refused, and no
        // call is invented for it. Twilio shows the 404 in the account's
        // debugger (11217); its default retry is for a connection that fails
        // or times out, not for an answer (docs/protocols.md 1).
        log::warn("RealtimeHandler", "Recording status callback for unknown call " + sid +
                                         " refused (404); nothing stored");
        respond(http_response::text(404, "unknown CallSid"));
      },
      [respond](caf::error&) {
        respond(http_response::text(500, "could not store the recording"));
      },
      actors::recording_update{sid, url, duration});
}

/// <Dial>'s action after a transfer (actors/call_transfer.cpp): the outcome
/// goes on the call and its job card, by CallSid (the call is usually
/// finalized by now); a person answered and hung up: hang up; nobody did
/// (no-answer, busy, failed, canceled): voicemail. DialCallStatus values:
/// https://www.twilio.com/docs/voice/twiml/dial#dialcallstatus-values.
void after_transfer(const actors::services& svc, const proto::form_params& form,
                    net::responder respond) {
  auto sid = proto::form_value(form, "CallSid");
  auto status = proto::form_value(form, "DialCallStatus");
  if (status.empty())
    status = "failed"; // no outcome named: nobody was reached
  caf::anon_send(svc.registry, actors::transfer_ended{sid, status});
  if (status == "completed" || status == "answered")
    return respond(http_response::xml(proto::twiml_response({proto::verb_hangup()})));
  if (svc.cfg->voicemail.enabled)
    return respond(http_response::xml(actors::voicemail_twiml(*svc.cfg)));
  respond(http_response::xml(proto::twiml_response(
      {proto::verb_say("Sorry, nobody could take your call. Please call again later. Goodbye."),
       proto::verb_hangup()})));
}

/// The value of `name` in the target's query ("" when absent or malformed).
std::string query_value(const std::string& target, std::string_view name) {
  auto q = target.find('?');
  if (q == std::string::npos)
    return {};
  auto params = proto::parse_form(std::string_view{target}.substr(q + 1));
  return params ? proto::form_value(*params, name) : std::string{};
}

/// Twilio's <Redirect> after </Connect> (docs/protocols.md 1): once a call's
/// stream has ended, what next. The supervisor said so before it closed the
/// stream (call_next): voicemail, or (anything else, a call this server does
/// not know included) hang up. A call whose stream was lost and is held
/// open gets a new <Connect><Stream> (actors/call_resume.hpp). `?after=voicemail` is <Record>'s
/// action: the message is in, say goodbye.
void call_next_route(const actors::services& svc, http_request& req, net::responder respond) {
  http_response bad;
  auto form = twilio_form(*svc.cfg, req, bad);
  if (!form)
    return respond(std::move(bad));
  auto sid = proto::form_value(*form, "CallSid");
  if (sid.empty())
    return respond(http_response::text(400, "CallSid is required"));
  const auto after = query_value(req.target, "after");
  if (after == "transfer")
    return after_transfer(svc, *form, std::move(respond));
  if (after == "voicemail")
    return respond(http_response::xml(proto::twiml_response(
        {proto::verb_say(svc.cfg->voicemail.goodbye), proto::verb_hangup()})));
  auto cfg = svc.cfg;
  // A call another node holds may wait up to 1.5 leases for that node's
  // heartbeat (actors/call_takeover.hpp), inside Twilio's 15 s timeout.
  const auto wait = std::max(cfg->call.registry_query, std::min(cfg->cluster.lease * 3 / 2,
                                                                std::chrono::milliseconds{12'000}) +
                                                           std::chrono::milliseconds{1'500});
  actors::ask<actors::call_next>(
      svc.registry, wait,
      [respond, cfg](actors::call_next& n) {
        if (!n.resume_twiml
                 .empty()) // its stream was lost: picked up again (actors/call_resume.hpp)
          return respond(http_response::xml(std::move(n.resume_twiml)));
        respond(http_response::xml(n.voicemail ? actors::voicemail_twiml(*cfg)
                                               : proto::twiml_response({proto::verb_hangup()})));
      },
      [respond](caf::error&) {
        respond(http_response::xml(proto::twiml_response({proto::verb_hangup()})));
      },
      actors::call_next_query{sid});
}

/// The registry's answer as JSON, with the status `code` gives it; 503 when
/// the registry does not answer.
template <class Info, class Atom>
void status_route(const actors::services& svc, Atom what,
                  std::string (*render)(const Info&, int64_t), int (*code)(const Info&),
                  net::responder respond) {
  actors::ask<Info>(
      svc.registry, svc.cfg->call.registry_query,
      [respond, render, code](Info& info) {
        respond(http_response::json(code(info), render(info, now_ms())));
      },
      [respond](caf::error&) {
        respond(http_response::json(
            503, R"({"status":"unavailable","error":"registry did not answer"})"));
      },
      what);
}

/// Degraded answers 503, so that a load balancer takes this instance out.
int health_status(const actors::health_info& h) {
  return h.reasons.empty() ? 200 : 503;
}

int always_ok(const actors::sessions_info&) {
  return 200;
}

/// Frames of a Media Stream before its `start` names the call: `connected`
/// is skipped; `start` pauses the socket and hands it to the registry, which
/// gives it to the call's supervisor (that resumes reading, so no frame is
/// reordered or lost). Calls the route answered go to the registry first
/// (call_handoff.hpp).
/// A stream's bad frames before `start`: a line a second at most
/// (docs/protocols.md, Media Streams); the count held back is logged when
/// the handlers holding this go (the handoff to the call, or the close).
struct prestart_bad_frames {
  log::throttle throttle{1000};
  prestart_bad_frames() = default;
  prestart_bad_frames(const prestart_bad_frames&) = delete;
  prestart_bad_frames& operator=(const prestart_bad_frames&) = delete;
  ~prestart_bad_frames() {
    if (auto n = throttle.held_back(); n > 0)
      log::warn("TwilioStream", "Ignored " + std::to_string(n) +
                                    " more bad frames before start (not logged one by one)");
  }
};

net::ws_handlers pending_stream(const actors::services& svc, std::shared_ptr<call_handoff> handoff,
                                std::weak_ptr<net::ws_connection> weak) {
  auto registry = svc.registry;
  auto bad = std::make_shared<prestart_bad_frames>();
  return net::ws_handlers{[registry, handoff = std::move(handoff), weak, bad](std::string&& text) {
                            auto ev = proto::parse_twilio_event(text);
                            if (!ev) {
                              int64_t held_back = 0;
                              if (bad->throttle.allow(now_ms(), held_back))
                                log::warn("TwilioStream",
                                          "Ignored a bad frame before start: " + ev.err().message +
                                              log::more_since(held_back));
                              return true;
                            }
                            if (ev->type != proto::twilio_event_type::start)
                              return true;
                            auto conn = weak.lock();
                            if (!conn)
                              return false;
                            if (ev->call_sid.empty())
                              ev->call_sid = proto::custom_parameter(*ev, "callSid");
                            handoff->flush();
                            caf::anon_send(registry, actors::stream_arrived{conn, std::move(*ev)});
                            return false; // paused until the twilio socket actor takes over
                          },
                          [](const std::string& reason) {
                            if (!reason.empty())
                              log::warn("TwilioStream", "Stream closed before start: " + reason);
                          },
                          // No call yet: `connected` and `start` are logged without a context
                          // (start names the call in its fields).
                          actors::wire_tap(svc.cfg->debug.twilio, "TwilioStream", {})};
}

} // namespace

net::http_handlers make_routes(const actors::services& svc) {
  net::http_handlers h;
  auto console = std::make_shared<console::console_routes>(svc);
  auto handoff = std::make_shared<call_handoff>(svc);
  h.on_request = [svc, console, handoff](http_request req, net::responder respond) {
    if (console->on_request(req, respond))
      return; // /console*, /metrics
    const std::string_view path = req.path();
    auto only = [&](const char* method) {
      if (req.method == method)
        return true;
      http_response r = http_response::text(405, "method not allowed");
      r.headers.emplace_back("Allow", method);
      respond(std::move(r));
      return false;
    };
    if (path == "/telephony/realtime-inbound-voice") {
      if (only("POST"))
        inbound_voice(svc, *handoff, req, std::move(respond));
    } else if (path == "/telephony/realtime-call-next") {
      if (only("POST"))
        call_next_route(svc, req, std::move(respond));
    } else if (path == "/telephony/realtime-recording-status") {
      if (only("POST"))
        recording_status(svc, req, std::move(respond));
    } else if (path == "/telephony/realtime-health") {
      if (only("GET"))
        status_route(svc, actors::health_atom::value, health_json, health_status,
                     std::move(respond));
    } else if (path == "/telephony/realtime-sessions") {
      if (only("GET"))
        status_route(svc, actors::sessions_atom::value, sessions_json, always_ok,
                     std::move(respond));
    } else {
      respond(http_response::text(404, "not found"));
    }
  };
  h.on_upgrade = [svc, console,
                  handoff](const http_request& req,
                           const net::ws_connection_ptr& conn) -> std::optional<http_response> {
    if (auto decision = console->on_upgrade(req, conn))
      return *decision; // /console/feed
    if (req.path() != svc.cfg->twilio.stream_path)
      return http_response::text(404, "not found");
    // The upgrade is signed over the wss:// URL, with no POST params.
    std::string base = svc.cfg->stream_url();
    base.resize(base.size() - svc.cfg->twilio.stream_path.size());
    if (!signed_ok(*svc.cfg, public_request_url(base, req), {}, req)) {
      // Unauthenticated, so anyone can repeat it: a line per 10 s at most,
      // as for the webhooks' refusals.
      static log::throttle refusals{10'000};
      int64_t held_back = 0;
      if (refusals.allow(now_ms(), held_back))
        log::warn("TwilioStream", "Refused a Media Stream upgrade with a bad signature from " +
                                      req.remote + log::more_since(held_back));
      return http_response::text(403, "invalid Twilio signature");
    }
    log::info("Server", "New WebSocket connection to " + svc.cfg->twilio.stream_path);
    conn->set_handlers(pending_stream(svc, handoff, conn));
    return std::nullopt;
  };
  return h;
}

} // namespace sb::app
