#pragma once
// A stand-in for Twilio and a person calling: signs and POSTs the Voice
// webhook, reads the TwiML, opens the Media Stream WebSocket (signed upgrade),
// sends connected/start, then media paced at 20 ms with real speech from the
// script, plays received audio out in real time, echoes each mark when the
// audio before it has played, honours `clear` (echoing pending marks at once,
// as Twilio does), and sends `stop` or notices the server hanging up.
// It runs the TwiML it gets verb by verb, as Twilio does (caller_flow.cpp,
// docs/protocols.md 6): <Connect><Stream>, then what follows when the stream
// ends; <Say>, <Pause>, <Hangup>, <Redirect>, <Dial> to a simulated human who
// answers or not, <Record> of a message; and it obeys the REST stand-in
// (sim/twilio_rest.hpp) when a call update arrives.

#include "sim/clips.hpp"
#include "sim/script.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace sb::sim {

class twilio_rest;

/// The person at the number a <Dial> rings (simulated, no audio).
struct dialled_human {
  bool answers = false;      ///< picks up, or lets it ring out
  int answer_after_ms = 500; ///< rings this long before picking up
  int talk_ms = 1'000;       ///< then talks this long and hangs up
  /// Ringing out ends after min(this, the <Dial> timeout): short, so tests
  /// and demos need not wait Twilio's 30 s.
  int no_answer_after_ms = 1'500;
};

struct caller_options {
  std::string server_url; ///< where to connect: "http://127.0.0.1:PORT"
  std::string public_url; ///< the server's SERVER_PUBLIC_URL, for signing
  std::string auth_token; ///< signs requests as Twilio would
  std::string account_sid = "AC00000000000000000000000000000000";
  std::string call_sid;  ///< empty: a random "CA" + 32 hex
  std::string to_number; ///< the tenant's number
  std::string ca_pem;    ///< extra trusted CA for https:// / wss:// server_url (tests)
  call_script script;
  const clip_library* clips = nullptr;
  int max_call_ms = 120'000; ///< give up after this
  /// The server is expected to end the stream before the script is done (no
  /// receptionist: voicemail follows); otherwise that fails the call.
  bool expect_stream_cut = false;
  /// Vanish (drop TCP, no stop) once this many replies have finished playing (-1: never).
  int vanish_after_turns = -1;
  /// With vanish_after_turns: reset the TCP connection (RST, as a network
  /// fault does) instead of closing it (net's ws_connection::abort()).
  bool vanish_with_reset = false;
  /// Read the Media Stream's first frame, then never again (issue 14.5: a
  /// Twilio peer that stops reading): the server's frames fill the socket
  /// buffers, then its write queue (twilio.max_queued_bytes). The caller
  /// keeps sending its audio and waits for replies it never hears.
  bool stop_reading = false;
  /// Silence frames carry the tick number in the lowest mu-law step (0xFE
  /// for a 1 bit, 0xFF for 0: inaudible, below any VAD), so that every frame
  /// the caller sends differs and an order check sees a swapped frame.
  bool tag_silence = false;
  /// Picked up again (issue 14.3, actors/call_resume.hpp): once the stream is
  /// lost (vanish_after_turns, or the server's socket closes under it) the
  /// caller follows the <Redirect> after </Connect> as Twilio does, and a
  /// second <Connect><Stream> carries the conversation on: the caller awaits
  /// the assistant's reply, then goes on with the next turn of the script
  /// (or, lost while pausing before a turn, with that turn once the rest of
  /// its pause has passed).
  /// vanish_after_turns acts once. Off: a second stream fails the call.
  bool follow_resume = false;
  /// A TwiML request (a <Redirect>, an action) that cannot connect is tried
  /// again after this long, as Twilio retries an unreachable URL (0: no
  /// retry, the call fails); bounded by max_call_ms.
  int redirect_retry_ms = 0;
  /// Print the call as it happens (the demo).
  std::function<void(const std::string& line)> on_event;

  // -- load-benchmark hooks (bench/): called on the io thread, keep them cheap --
  /// Audio as a media frame goes out: `offset` counts every payload byte
  /// sent on this stream (silence too), `mono_us` is common/time.hpp's clock.
  std::function<void(int64_t offset, std::string_view bytes, int64_t mono_us)> on_audio_sent;
  /// A media frame's payload as it arrives (offset: every byte received before it).
  std::function<void(int64_t offset, std::string_view bytes, int64_t mono_us)> on_audio_received;
  /// Assistant audio as it plays out (what the caller hears; never audio
  /// dropped by a `clear`): `offset` is the stream position (caller bytes
  /// sent, 8 per ms) of the tick that played it (tests/call/recording_test.cpp).
  std::function<void(int64_t offset, std::string_view bytes)> on_audio_played;
  /// Once set, the caller hangs up (sends `stop`, result ok) at the next
  /// pause between turns, when no assistant audio is playing or in flight.
  std::shared_ptr<const std::atomic<bool>> hang_up;

  // -- TwiML beyond the stream (caller_flow.cpp) --
  /// The REST API stand-in: the call registers with it and obeys its updates
  /// (nullptr: no REST API in this simulation).
  std::shared_ptr<twilio_rest> rest;
  dialled_human human; ///< who answers a <Dial>
  /// The message left at a <Record>: its length is the recording's (no
  /// media flows: the stream is gone by then).
  std::string voicemail_clip = "caller_2";
};

struct caller_result {
  bool ok = false;
  std::string error;
  std::string call_sid;
  std::string twiml;          ///< the webhook's answer
  int64_t setup_ms = -1;      ///< webhook sent -> first greeting byte received
  int64_t bytes_sent = 0;     ///< caller audio (mu-law bytes)
  int64_t bytes_received = 0; ///< assistant audio
  int marks_echoed = 0;
  int clears_received = 0;
  /// Per `clear` received: ms of the reply then playing that the caller had
  /// heard (played out) when the clear arrived; -1 if no reply had started.
  std::vector<int64_t> heard_at_clear_ms;
  bool server_hung_up = false;       ///< the server closed the stream (end_call)
  bool stream_cut = false;           ///< ... before the script expected it
  std::vector<int64_t> reply_gap_ms; ///< per turn: caller stopped speaking -> first reply byte

  // -- what the TwiML did (caller_flow.cpp) --
  std::vector<std::string> verbs;      ///< every verb run, in order: "Connect", "Say", "Dial", ...
  std::vector<std::string> said;       ///< the text of each <Say>
  int rest_updates = 0;                ///< REST API updates obeyed (Twiml, Url or Status)
  bool stream_ended_by_update = false; ///< an update ended the Media Stream (stop sent)
  std::string dial_status; ///< DialCallStatus of the last <Dial>: completed, no-answer ("" if none)
  std::string recording_url;    ///< RecordingUrl of the last <Record> ("" if none)
  int recording_duration_s = 0; ///< RecordingDuration
  int recording_callback_status =
      0; ///< HTTP status the recordingStatusCallback got (0: not sent, -1: no answer)
  std::string final_status; ///< the call's status at the end: completed (or failed)

  // -- picked up again (follow_resume) --
  int streams = 0;          ///< Media Streams opened
  int redirect_retries = 0; ///< TwiML requests tried again (the server was unreachable)
  /// Per stream lost and picked up again: ms from the last assistant audio
  /// the caller heard (played out) before the loss to the first assistant
  /// audio received on the new stream: the silence the caller sat through.
  std::vector<int64_t> resume_gap_ms;
};

/// Runs one call; `done` runs once on an io thread.
void run_caller(boost::asio::io_context& io, caller_options options,
                std::function<void(caller_result)> done);

} // namespace sb::sim
