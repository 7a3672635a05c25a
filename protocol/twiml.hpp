#pragma once
// TwiML answers to the Voice webhook (docs/protocols.md 1).

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace sb::proto {

/// <Response><Connect><Stream url=...><Parameter .../>...</Stream></Connect>
/// then <Redirect method="POST">after_url</Redirect>, or <Hangup/> when
/// after_url is empty. What follows </Connect> runs when the server closes
/// the stream socket: that is how the bridge hangs up (end_call) without the
/// REST API, and, with the redirect, how it sends a caller on to voicemail
/// (docs/protocols.md 1).
std::string twiml_connect_stream(
    std::string_view stream_url,
    std::initializer_list<std::pair<std::string_view, std::string_view>> parameters,
    std::string_view after_url = {});

/// <Response><Say>text</Say><Hangup/></Response>
std::string twiml_say_hangup(std::string_view text);

// -- verbs, for the REST API's Twiml and the fallbacks (docs/protocols.md 6) --

/// <Dial>'s attributes (https://www.twilio.com/docs/voice/twiml/dial). Empty
/// or zero fields are left out, so Twilio's defaults apply.
struct dial_options {
  std::string number;            ///< the <Number> dialled (E.164)
  std::string caller_id;         ///< callerId: what the dialled phone shows
  int timeout_s = 0;             ///< timeout: seconds to ring (Twilio's default: 30)
  std::string action;            ///< action: requested with DialCallStatus when the dial ends
  std::string method;            ///< method: of the action request (Twilio's default: POST)
  bool answer_on_bridge = false; ///< answerOnBridge: the caller hears ringing until answered
};

/// <Record>'s attributes (https://www.twilio.com/docs/voice/twiml/record).
struct record_options {
  int max_length_s = 0;                  ///< maxLength (Twilio's default: 3600)
  std::string finish_on_key;             ///< finishOnKey (Twilio's default: any key)
  bool play_beep = true;                 ///< playBeep
  int timeout_s = 0;                     ///< timeout: seconds of silence that end it (default 5)
  std::string recording_status_callback; ///< POSTed when the recording is available
  std::string action; ///< POSTed when recording ends; its answer runs next. Without it
                      ///< Twilio requests the current document's URL
};

/// <Say>text</Say>
std::string verb_say(std::string_view text);
/// <Hangup/>
std::string verb_hangup();
/// <Redirect method="POST">url</Redirect>: Twilio requests `url` and runs
/// its answer (https://www.twilio.com/docs/voice/twiml/redirect).
std::string verb_redirect(std::string_view url);
/// <Dial ...><Number>number</Number></Dial>
std::string verb_dial(const dial_options& o);
/// <Record .../>
std::string verb_record(const record_options& o);

/// The XML declaration and <Response> around `verbs` (each built above).
std::string twiml_response(std::initializer_list<std::string_view> verbs);

/// A transfer: <Say>say_first</Say> (when not empty), then <Dial>.
std::string twiml_dial(std::string_view say_first, const dial_options& dial);

/// A voicemail: <Say>prompt</Say><Record .../><Say>goodbye</Say><Hangup/>.
/// With record.action set, Twilio runs that answer instead of what follows
/// <Record> (the goodbye is then the action's to say).
std::string twiml_voicemail(std::string_view prompt, const record_options& record,
                            std::string_view goodbye);

/// XML-escapes &, <, >, ", '.
std::string xml_escape(std::string_view s);

} // namespace sb::proto
